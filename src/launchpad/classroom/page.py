"""The instructor's page: one HTML file, its script and its style, served by the classroom app.

The script builds the page with DOM calls and `textContent` only, so a learner's name or a
feedback sentence is always shown as text (a `<script>` in a name stays visible characters);
the server's Content-Security-Policy allows no inline script at all.
"""

PAGE_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Classroom · MLOps Launchpad</title>
<link rel="stylesheet" href="room.css">
<script src="room.js" defer></script>
</head>
<body>
<header>
  <h1>Classroom</h1>
  <p id="status">Connecting…</p>
  <a id="export" href="#">Export CSV</a>
</header>
<section>
  <h2>Where the room is stuck</h2>
  <ol id="stuck"></ol>
</section>
<section>
  <h2>Time per module</h2>
  <table id="modules"><thead><tr>
    <th>module</th><th>median minutes</th><th>learners</th><th>agenda (exercise)</th>
  </tr></thead><tbody></tbody></table>
</section>
<section>
  <h2>Learners by question</h2>
  <p class="legend"><span class="done">done</span> <span class="trying">trying</span>
     <span class="not-started">not started</span> · hover a cell for its latest feedback</p>
  <div class="scroll"><table id="grid"><thead></thead><tbody></tbody></table></div>
</section>
</body>
</html>
"""

PAGE_JS = """"use strict";
const token = new URLSearchParams(location.search).get("token") || "";
const q = "?token=" + encodeURIComponent(token);
document.getElementById("export").href = "export.csv" + q;

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

function render(board) {
  const learners = board.learners.length;
  document.getElementById("status").textContent =
    learners + (learners === 1 ? " learner" : " learners") +
    " · updated " + new Date().toLocaleTimeString();

  const stuck = document.getElementById("stuck");
  stuck.replaceChildren();
  if (board.stuck.length === 0) stuck.append(el("li", "Nobody is stuck right now."));
  for (const s of board.stuck) {
    const item = el("li");
    item.append(el("strong", "Module " + s.module + " " + s.question), el("span",
      " · " + s.learners + " trying · most frequent feedback: "), el("q", s.feedback));
    stuck.append(item);
  }

  const modules = document.querySelector("#modules tbody");
  modules.replaceChildren();
  for (const m of board.modules) {
    if (m.learners === 0) continue;
    const row = el("tr");
    row.append(el("td", m.module), el("td", String(m.median_minutes)),
      el("td", String(m.learners)), el("td", String(m.agenda_minutes)));
    modules.append(row);
  }

  const head = el("tr");
  head.append(el("th", "learner"));
  for (const c of board.questions) head.append(el("th", c.module + " " + c.question));
  document.querySelector("#grid thead").replaceChildren(head);
  const body = document.querySelector("#grid tbody");
  body.replaceChildren();
  for (const learner of board.learners) {
    const row = el("tr");
    row.append(el("th", learner.name));
    for (const cell of learner.cells) {
      const td = el("td", cell.attempts ? String(cell.attempts) : "",
        cell.state.replace(" ", "-"));
      td.title = cell.feedback;
      td.dataset.state = cell.state;
      row.append(td);
    }
    body.append(row);
  }
}

async function refresh() {
  try {
    const reply = await fetch("api/board" + q, {cache: "no-store"});
    if (!reply.ok) throw new Error((await reply.json()).detail);
    render(await reply.json());
  } catch (error) {
    document.getElementById("status").textContent = "Not updated: " + error.message;
  }
}
refresh();
setInterval(refresh, 2000);
"""

PAGE_CSS = """body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
header { display: flex; gap: 1.5rem; align-items: baseline; }
h1 { margin: 0; } h2 { font-size: 1.1rem; margin-top: 1.5rem; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: 0.2rem 0.4rem; }
#grid td { min-width: 2.2rem; text-align: center; }
.done { background: #c8e6c9; } .trying { background: #ffe0b2; } .not-started { background: #eee; }
.legend span { padding: 0 0.4rem; } .scroll { overflow-x: auto; }
q { font-style: italic; }
"""
