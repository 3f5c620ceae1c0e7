from dashboard.components.chrome import NO, YES, markdown_table


def test_markdown_table_keeps_uploaded_names_literal_and_marks_correct_rows():
    table = {"in *a*|b": [0.0, 1.0], "output": [0.01234, 0.5], "correct": [True, False]}
    lines = markdown_table(table).splitlines()
    assert lines[0] == r"| in \*a\*\|b | output | correct |"
    assert lines[1] == "| ---: | ---: | ---: |"
    assert lines[2:] == [f"| 0 | 0.0123 | {YES} |", f"| 1 | 0.5000 | {NO} |"]
