// Autopilot dashboard. Plain browser JavaScript, no build step and no third-party code: everything shown comes from the
// admin API with the bearer token the user typed (kept in sessionStorage, sent only in the Authorization header).
"use strict";
(() => {
  const TOKEN_KEY = "autopilot.token";
  const KINDS_COLOURS = {
    observe: "#0969da", orient: "#8250df", decide: "#bf3989", act: "#1a7f37", alert: "#cf222e", incident: "#9a6700",
    security: "#6e7781", mode: "#57606a", cluster: "#0550ae", approval: "#953800", other: "#afb8c1",
  };
  const REFRESH_MS = 30000;
  const $ = (id) => document.getElementById(id);
  let role = null;
  let stream = null;
  let refreshTimer = null;
  let pendingRefresh = null;

  /** Thrown when the API refused the token: the page goes back to the sign-in form. */
  class SignedOut extends Error {}

  function el(tag, attrs, ...children) {
    const node = tag.startsWith("svg:") ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4)) : document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const when = (iso) => (iso ? new Date(iso).toLocaleString() : "—");
  const ms = (value) => (value === null || value === undefined ? "—" : `${Math.round(value)} ms`);
  const pct = (value) => (value === null || value === undefined ? "no data" : `${value.toFixed(2)} %`);
  const short = (sha) => (sha ? sha.slice(0, 10) : "—");

  async function api(path, options = {}) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) throw new SignedOut("Sign in with an API token.");
    const response = await fetch(path, { ...options, headers: { ...(options.headers || {}), Authorization: `Bearer ${token}` } });
    if (response.status === 401) throw new SignedOut("The daemon refused that token. Sign in again.");
    if (!response.ok) {
      let message = `${response.status}`;
      try { message = (await response.json()).message || message; } catch { /* not JSON */ }
      throw new Error(`${path}: ${message}`);
    }
    return response.status === 204 ? null : response.json();
  }

  function showSignIn(message) {
    stopStream();
    clearInterval(refreshTimer);
    sessionStorage.removeItem(TOKEN_KEY);
    role = null;
    $("app").hidden = true;
    $("top-status").hidden = true;
    $("signin").hidden = false;
    $("signin-error").hidden = !message;
    $("signin-error").textContent = message || "";
    $("token").value = "";
    $("token").focus();
  }

  function failed(error) {
    if (error instanceof SignedOut) showSignIn(error.message);
    else console.warn(error);
  }

  async function start() {
    const me = await api("/api/whoami");
    role = me.role;
    $("whoami").textContent = `${me.name} (${me.role})`;
    $("signin").hidden = true;
    $("app").hidden = false;
    $("top-status").hidden = false;
    $("actions").hidden = !canOperate();
    const [recent] = await Promise.all([api("/api/audit?limit=20"), refresh()]);
    $("events").replaceChildren();
    recent.forEach(addLiveEvent);
    if (recent.length === 0) $("events").append(el("li", { class: "muted", text: "Waiting for new events…" }));
    document.body.dataset.ready = "true";
    // User Timing: when the page became interactive (read by the dashboard benchmark; visible in the browser's tools).
    performance.mark("dashboard-ready");
    // The stream resumes right after the newest event shown, so nothing falls between the list and the stream.
    startStream(recent.length ? String(recent[recent.length - 1].offset) : null);
    clearInterval(refreshTimer);
    // Probe records are not audit events: a periodic refresh keeps cards and uptime current between events.
    refreshTimer = setInterval(() => refresh().catch(failed), REFRESH_MS);
  }

  const canOperate = () => role === "operator" || role === "admin";

  async function refresh() {
    const [status, services, summary, activity, incidents, cluster, approvals] = await Promise.all([
      api("/api/status"), api("/api/dashboard/services"), api("/api/dashboard/summary?days=7"), api("/api/dashboard/activity?hours=168"),
      api("/api/dashboard/incidents?days=7"), api("/api/cluster"), api("/api/approvals").catch((e) => { if (e instanceof SignedOut) throw e; return null; }),
    ]);
    $("loading-note").hidden = services.caughtUp && summary.caughtUp && activity.caughtUp && incidents.caughtUp;
    renderStatus(status, cluster, approvals);
    renderServices(services.services, services.at);
    renderSummary(summary);
    renderActivity(activity);
    renderIncidents(incidents.incidents);
  }

  function scheduleRefresh() {
    if (pendingRefresh) return;
    pendingRefresh = setTimeout(() => {
      pendingRefresh = null;
      refresh().catch(failed);
    }, 500);
  }

  function renderStatus(status, cluster, approvals) {
    const autopilot = status.autopilot;
    const mode = !autopilot ? "unknown" : autopilot.paused ? "paused" : autopilot.dryRun ? "dry-run" : "running";
    $("mode").dataset.mode = mode;
    $("mode").textContent = `mode: ${mode}`;
    $("control").replaceChildren(
      el("dt", { text: "Mode" }), el("dd", { id: "control-mode", text: mode }),
      el("dt", { text: "Node" }), el("dd", { text: status.node }),
      el("dt", { text: "Journal" }), el("dd", { text: `${status.journal} (${status.journalStatus})` }),
      el("dt", { text: "Orchestrator" }), el("dd", { text: status.orchestrator }),
      el("dt", { text: "Singleton on" }), el("dd", { id: "singleton", text: cluster.oldest || status.leader || "—" }),
    );
    $("pause").hidden = mode === "paused";
    $("resume").hidden = mode !== "paused";
    $("cluster").replaceChildren(...cluster.members.map((m) =>
      el("li", { "data-member": m.address }, `${m.address} — ${m.status}${m.reachable ? "" : ", UNREACHABLE"}${m.address === cluster.oldest || (!cluster.clustered) ? " (runs the orchestrator)" : ""}`)));
    const pending = approvals ? approvals.approvals : [];
    $("approvals").replaceChildren(...(pending.length === 0
      ? [el("li", { class: "muted", text: approvals ? "None pending." : "Unavailable." })]
      : pending.map((a) => el("li", { "data-approval": a.approvalId },
          `${a.action} on ${a.service} (confidence ${a.confidence ?? "—"}): ${a.reason}; expires ${when(a.expiresAt)} `,
          canOperate() ? [actionButton("Approve", `/api/approvals/${encodeURIComponent(a.approvalId)}/approve`),
            actionButton("Reject", `/api/approvals/${encodeURIComponent(a.approvalId)}/reject`)] : null))));
  }

  function actionButton(label, path) {
    const button = el("button", { type: "button", class: "action", text: label });
    button.addEventListener("click", async () => {
      button.disabled = true;
      try { await api(path, { method: "POST" }); await refresh(); } catch (e) { failed(e); alert(e.message); } finally { button.disabled = false; }
    });
    return button;
  }

  function renderServices(cards, at) {
    if (cards.length === 0) {
      $("services").replaceChildren(el("p", { class: "muted", text: "No watched services yet." }));
      return;
    }
    $("services").replaceChildren(...cards.map((card) => {
      const probe = card.lastProbe;
      const uptime = card.uptime
        ? el("ul", { class: "uptime", "aria-label": "uptime", "data-at": at }, ...["24h", "7d", "30d"].map((w) =>
            el("li", { "data-window": w, "data-probes": card.uptime[w].probes }, el("span", { class: "label", text: w }),
              el("span", { class: "value", text: pct(card.uptime[w].percent) }),
              el("span", { class: "coverage", text: `${card.uptime[w].probes} probes, ${card.uptime[w].coveragePercent.toFixed(0)} % probed` }))))
        : el("p", { class: "muted", text: "No health target: no uptime." });
      return el("article", { class: "card", "data-service": card.service, "data-state": card.state },
        el("h3", {}, el("span", { text: card.service }), el("span", { class: "state", "data-state": card.state, text: card.state.toUpperCase() })),
        el("dl", { class: "facts" },
          el("dt", { text: "Deployment" }), el("dd", { class: "deployment", text: card.deploymentStatus || "—" }),
          el("dt", { text: "Commit" }), el("dd", { class: "commit", text: short(card.commit) }),
          el("dt", { text: "Last probe" }), el("dd", { class: "probe", text: probe
            ? `${probe.healthy ? "healthy" : "FAILED"}${probe.statusCode ? ` (${probe.statusCode})` : ""}, ${ms(probe.responseMs)}, ${when(probe.at)}${probe.reason ? ` — ${probe.reason}` : ""}`
            : "never probed" }),
          el("dt", { text: "Baseline" }), el("dd", { class: "baseline", text: ms(card.baselineMs) }),
          el("dt", { text: "Incident" }), el("dd", { class: "incident-ref", text: card.incident ? `${card.incident.title} (since ${when(card.incident.openedAt)})` : "none" })),
        sparkline(card.trendMs, card.baselineMs),
        uptime);
    }));
  }

  /** Response times of the newest probes as a line, with the EWMA baseline dashed. */
  function sparkline(values, baseline) {
    if (!values || values.length < 2) return null;
    const width = 300, height = 36, max = Math.max(...values, baseline || 0) * 1.1 || 1;
    const x = (i) => (i / (values.length - 1)) * width;
    const y = (v) => height - (v / max) * height;
    const svg = el("svg:svg", { class: "spark", viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none", role: "img",
      "aria-label": `response times of the last ${values.length} probes, newest ${Math.round(values[values.length - 1])} ms` });
    svg.append(el("svg:polyline", { points: values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" "), fill: "none", stroke: "#0969da", "stroke-width": 1.5 }));
    if (baseline) svg.append(el("svg:line", { x1: 0, x2: width, y1: y(baseline), y2: y(baseline), stroke: "#59636e", "stroke-dasharray": "4 3", "stroke-width": 1 }));
    return svg;
  }

  function renderSummary(s) {
    const alerts = Object.entries(s.alertsBySeverity).map(([k, v]) => `${v} ${k}`).join(", ");
    const rows = [
      ["Deploys", s.deploys, "deploys"], ["Rollbacks", s.rollbacks, "rollbacks"], ["Restarts", s.restarts, "restarts"], ["Failed actions", s.actionsFailed, "actions-failed"],
      ["Incidents opened", s.incidentsOpened, "incidents-opened"], ["Incidents resolved", s.incidentsResolved, "incidents-resolved"],
      ["Alerts", alerts, "alerts"],
      ["Approvals", `${s.approvalsRequested} asked, ${s.approvalsApproved} approved, ${s.approvalsRejected} rejected, ${s.approvalsExpired} expired`, "approvals"],
    ];
    $("summary").replaceChildren(...rows.flatMap(([label, value, key]) => [el("dt", { text: label }), el("dd", { "data-summary": key, text: String(value) })]));
  }

  /** Stacked bars: one per hour, one colour per kind; the legend names every kind (colour is never the only cue: hover/title gives counts). */
  function renderActivity(a) {
    const hours = a.hours;
    const totals = hours.map((h) => h.counts.reduce((x, y) => x + y, 0));
    const max = Math.max(1, ...totals);
    const width = Math.max(hours.length * 4, 200), height = 160, barWidth = width / hours.length;
    const svg = el("svg:svg", { viewBox: `0 0 ${width} ${height + 14}`, preserveAspectRatio: "none", role: "img",
      "aria-label": `events per hour, ${totals.reduce((x, y) => x + y, 0)} in the last ${hours.length} hours, at most ${max} in one hour` });
    hours.forEach((h, i) => {
      let top = height;
      h.counts.forEach((count, k) => {
        if (count === 0) return;
        const barHeight = (count / max) * height;
        top -= barHeight;
        svg.append(el("svg:rect", { x: (i * barWidth).toFixed(2), y: top.toFixed(2), width: Math.max(barWidth - 0.5, 0.5).toFixed(2), height: barHeight.toFixed(2),
          fill: KINDS_COLOURS[a.kinds[k]] || "#999", "data-kind": a.kinds[k] }, el("svg:title", { text: `${new Date(h.hour).toLocaleString()}: ${count} ${a.kinds[k]}` })));
      });
      if (new Date(h.hour).getUTCHours() === 0) {
        svg.append(el("svg:text", { x: (i * barWidth).toFixed(2), y: height + 12, "font-size": 10, fill: "#59636e", text: new Date(h.hour).toISOString().slice(5, 10) }));
      }
    });
    $("activity").replaceChildren(svg);
    const used = a.kinds.filter((k, index) => hours.some((h) => h.counts[index] > 0));
    $("activity-legend").replaceChildren(...(used.length ? used : a.kinds.slice(0, 1)).map((k) => {
      const total = hours.reduce((sum, h) => sum + h.counts[a.kinds.indexOf(k)], 0);
      const swatch = el("svg:svg", { width: 12, height: 12, class: "swatch-svg", "aria-hidden": "true" }, el("svg:rect", { width: 12, height: 12, fill: KINDS_COLOURS[k] || "#999" }));
      return el("li", { "data-kind": k }, swatch, ` ${k}: ${total}`);
    }));
  }

  function renderIncidents(incidents) {
    if (incidents.length === 0) {
      $("incidents").replaceChildren(el("p", { class: "muted", text: "No open or recent incidents." }));
      return;
    }
    $("incidents").replaceChildren(...incidents.map((i) => el("article", { class: "incident", "data-incident": i.incidentId, "data-open": i.open ? "true" : "false" },
      el("h3", { text: `${i.open ? "OPEN" : "RESOLVED"} — ${i.service}: ${i.title}` }),
      el("p", { class: "meta" }, `opened ${when(i.openedAt)}`, i.resolvedAt ? `, resolved ${when(i.resolvedAt)}` : "",
        i.acknowledgedBy ? `, acknowledged by ${i.acknowledgedBy}` : "",
        i.issueUrl ? [" — ", el("a", { href: i.issueUrl, class: "issue", rel: "noreferrer noopener", target: "_blank", text: "GitHub issue" })] : "",
        i.open && canOperate() && !i.acknowledgedBy ? [" ", actionButton("Acknowledge", `/api/incidents/${encodeURIComponent(i.incidentId)}/ack`)] : null),
      el("ol", { class: "timeline" }, ...i.timeline.map((step) =>
        el("li", { "data-stage": step.stage }, el("span", { class: "stage", text: step.stage }), ` ${new Date(step.at).toLocaleTimeString()} — ${step.text}`))))));
  }

  function addLiveEvent(record) {
    const list = $("events");
    if (list.firstElementChild && list.firstElementChild.classList.contains("muted")) list.replaceChildren();
    const text = record.event.title || record.event.summary || record.event.situation || record.event.action || record.event.change || record.event.detail || "";
    list.prepend(el("li", { "data-offset": record.offset, "data-type": record.type },
      el("span", { class: "stage", text: record.phase }), ` ${new Date(record.timestamp).toLocaleTimeString()} ${record.type}${record.service ? ` (${record.service})` : ""}${text ? ` — ${text}` : ""}`));
    while (list.children.length > 50) list.lastElementChild.remove();
  }

  /** The audit stream (SSE) read with fetch, because EventSource cannot send the Authorization header. */
  function startStream(afterId) {
    stopStream();
    const controller = new AbortController();
    const state = { controller, lastId: afterId };
    stream = state;
    const setLive = (on) => { $("live").dataset.live = on ? "on" : "off"; $("live").textContent = on ? "live: on" : "live: reconnecting"; };
    const run = async () => {
      while (!controller.signal.aborted) {
        try {
          const token = sessionStorage.getItem(TOKEN_KEY);
          const headers = { Authorization: `Bearer ${token}`, Accept: "text/event-stream" };
          if (state.lastId) headers["Last-Event-ID"] = state.lastId;
          const response = await fetch("/api/audit/stream", { headers, signal: controller.signal, cache: "no-store" });
          if (response.status === 401) throw new SignedOut("The daemon refused that token. Sign in again.");
          if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
          setLive(true);
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let end;
            while ((end = buffer.indexOf("\n\n")) >= 0) {
              const frame = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              onFrame(frame);
            }
          }
        } catch (e) {
          if (controller.signal.aborted) return;
          if (e instanceof SignedOut) { failed(e); return; }
        }
        setLive(false);
        await new Promise((resolve) => setTimeout(resolve, 3000));
      }
    };
    const onFrame = (frame) => {
      let id = null, data = "", event = "message";
      for (const line of frame.split("\n")) {
        if (line.startsWith("id:")) id = line.slice(3).trim();
        else if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trimStart();
      }
      if (id) state.lastId = id;
      if (event !== "audit" || !data) return;
      addLiveEvent(JSON.parse(data));
      scheduleRefresh();
    };
    run();
  }

  function stopStream() {
    if (stream) stream.controller.abort();
    stream = null;
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("signin-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const token = $("token").value.trim();
      if (!token) return;
      sessionStorage.setItem(TOKEN_KEY, token);
      start().catch(failed);
    });
    $("signout").addEventListener("click", () => showSignIn(""));
    $("pause").addEventListener("click", () => api("/api/pause", { method: "POST" }).then(refresh).catch(failed));
    $("resume").addEventListener("click", () => api("/api/resume", { method: "POST" }).then(refresh).catch(failed));
    if (sessionStorage.getItem(TOKEN_KEY)) start().catch(failed);
    else showSignIn("");
  });
})();
