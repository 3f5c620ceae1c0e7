"""A small client for Streamlit's websocket protocol that acts like a student's browser tab:
it opens the page with a link, presses Train, and reruns the page's timed fragments as the
browser's timers would, recording what a student would see."""

from __future__ import annotations

import asyncio
import re
import time
import urllib.request
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

PAUSED_BY_SERVER = ("page was hidden", "lost its connection")


@dataclass
class Student:
    """One browser tab: what it asked for, and what it saw."""

    base: str  # http://host:port
    query: str  # the link's query, without "?"
    sizes: str  # the network it asked for, as the page writes it: "2-3-2"
    # (time, Epoch shown, seconds since the page asked for that redraw)
    redraws: list[tuple[float, int, float]] = field(default_factory=list)
    received: int = 0  # bytes from the server
    networks: set[str] = field(default_factory=set)  # every "a 2-3-2 network" line seen
    false_pauses: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    replica: str = ""  # the upstream that served the page, behind the load balancer
    ws_replica: str = ""  # and the one that took the websocket
    trained_from: float | None = None

    async def run(self, until: float) -> None:
        cookie = await asyncio.to_thread(self._affinity_cookie)
        url = self.base.replace("http", "ws", 1) + "/_stcore/stream"
        headers = {"Cookie": cookie} if cookie else {}
        async with connect(
            url, subprotocols=["streamlit"], additional_headers=headers, max_size=None
        ) as ws:
            self._ws, self._timers, self._page, self._asked = ws, {}, "", {}
            self.ws_replica = ws.response.headers.get("X-Backprop-Replica", "")
            self._train_id: str | None = None
            self._training = False
            await self._rerun()
            try:
                while (left := until - time.monotonic()) > 0:
                    try:  # a silent server must not keep the student past ``until``
                        data = await asyncio.wait_for(ws.recv(), timeout=left)
                    except TimeoutError:
                        break
                    self._take(ForwardMsg.FromString(data), len(data))
                    if self._train_id and self.trained_from is None:
                        self.trained_from = time.monotonic()
                        await self._rerun(trigger=self._train_id)
            finally:
                for task in self._timers.values():
                    task.cancel()

    def _affinity_cookie(self) -> str:
        """Load the page once over HTTP, as a browser does: behind the load balancer this
        sets the cookie that pins the session to one replica."""
        with urllib.request.urlopen(self.base + "/?" + self.query, timeout=30) as response:
            self.replica = response.headers.get("X-Backprop-Replica", "")
            cookies = response.headers.get_all("Set-Cookie") or []
        return "; ".join(c.split(";")[0] for c in cookies)

    async def _rerun(self, trigger: str | None = None, fragment: str = "") -> None:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = self._page
        state.fragment_id = fragment
        self._asked[fragment] = time.monotonic()
        state.is_auto_rerun = bool(fragment)
        if trigger:
            widget = state.widget_states.widgets.add()
            widget.id, widget.trigger_value = trigger, True
        await self._ws.send(msg.SerializeToString())

    def _take(self, msg: ForwardMsg, size: int) -> None:
        self.received += size
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self._page = msg.new_session.page_script_hash
            if not msg.metadata.run.fragment_ids:  # a full run sets the timers anew
                self._stop_timers(list(self._timers))
        elif kind == "stop_auto_rerun":
            self._stop_timers(msg.stop_auto_rerun.fragment_ids)
        elif kind == "auto_rerun":
            fragment, interval = msg.auto_rerun.fragment_id, msg.auto_rerun.interval
            if fragment in self._timers:
                self._timers[fragment].cancel()
            self._timers[fragment] = asyncio.create_task(self._every(interval, fragment))
        elif kind == "delta":
            self._element(msg.delta)

    def _stop_timers(self, fragments) -> None:
        for fragment in fragments:
            task = self._timers.pop(fragment, None)
            if task:
                task.cancel()

    async def _every(self, interval: float, fragment: str) -> None:
        while True:  # like the browser's setInterval: on time, whether or not a run finished
            await asyncio.sleep(interval)
            await self._rerun(fragment=fragment)

    def _element(self, delta) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        now = time.monotonic()
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "button" and element.button.label == "Train":
            self._train_id = self._train_id or element.button.id
        elif kind == "metric" and element.metric.label.startswith("Epoch"):
            epoch = int(element.metric.body.replace(",", ""))
            self.redraws.append((now, epoch, now - self._asked.get(delta.fragment_id, now)))
        elif kind == "metric" and element.metric.label == "Status":
            self._training = self._training or element.metric.body == "Training"
            if self._training and element.metric.body.startswith("Paused"):
                self.false_pauses.append(element.metric.body)  # this student never paused
        elif kind in ("markdown", "alert"):
            body = getattr(element, kind).body
            self.networks.update(
                m.replace("\\", "") for m in re.findall(r"a (\d+(?:\\?-\d+)+) network", body)
            )
            self.false_pauses += [body for p in PAUSED_BY_SERVER if p in body]
        elif kind == "exception":
            self.errors.append(element.exception.message)
