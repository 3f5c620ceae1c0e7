import re

from dashboard.components.chrome import NO, YES, html_table


def test_the_outputs_table_escapes_uploaded_names_and_marks_rows_with_a_sign_and_a_word():
    table = {"in <b>a</b>&b": [0.0, 1.0], "output": [0.01234, 0.5], "correct": [True, False]}
    markup = html_table(table, "Outputs")
    assert "<b>" not in markup and "in &lt;b&gt;a&lt;/b&gt;&amp;b" in markup
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", markup)
    assert cells == ["0", "0.0123", YES, "1", "0.5000", NO]
    assert YES.startswith("✓") and NO.startswith("✗")


def test_the_outputs_table_scrolls_in_a_region_the_keyboard_can_reach():
    markup = html_table({"x": [1.0]}, 'Outputs "all"')
    assert markup.startswith(
        '<div class="bp-table" role="region" tabindex="0" aria-label="Outputs &quot;all&quot;">'
    )
