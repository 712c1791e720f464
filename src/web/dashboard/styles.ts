/** The dashboard's stylesheet, served from /assets/app.css so the CSP can forbid inline styles. */
export const APP_CSS = `
:root { --ink:#1d2330; --muted:#667085; --line:#e4e7ec; --bg:#f7f8fa; --accent:#3451d1; --warn:#b54708; --ok:#067647; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--ink); background:var(--bg); }
a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
header.top { display:flex; align-items:center; gap:16px; padding:10px 20px; background:#fff; border-bottom:1px solid var(--line); }
header.top .brand { font-weight:700; font-size:16px; }
header.top nav { display:flex; gap:12px; flex:1; }
header.top nav a.active { font-weight:600; color:var(--ink); }
header.top form { margin:0; }
main { max-width:1100px; margin:20px auto; padding:0 20px; }
h1 { font-size:20px; margin:0 0 12px; }
h2 { font-size:16px; margin:24px 0 8px; }
table.threads { width:100%; border-collapse:collapse; background:#fff; border:1px solid var(--line); }
table.threads th, table.threads td { text-align:left; padding:8px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
table.threads th { font-size:12px; color:var(--muted); font-weight:600; }
.snippet { color:var(--muted); font-size:13px; }
.chip { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; background:#eef1f6; white-space:nowrap; }
.chip.waiting_on_us { background:#fef0c7; color:var(--warn); }
.chip.waiting_on_client { background:#dcfae6; color:var(--ok); }
.muted { color:var(--muted); }
.card { background:#fff; border:1px solid var(--line); border-radius:6px; padding:14px 16px; margin-bottom:12px; }
.card.outbound { border-left:3px solid var(--accent); }
.card .meta { display:flex; gap:10px; color:var(--muted); font-size:13px; margin-bottom:8px; }
.card pre { white-space:pre-wrap; font:inherit; margin:0; }
details summary { cursor:pointer; color:var(--muted); font-size:13px; margin-top:8px; }
.login { max-width:360px; margin:12vh auto; background:#fff; border:1px solid var(--line); border-radius:8px; padding:24px; }
.login label { display:block; margin:12px 0 4px; font-weight:600; }
.login input { width:100%; padding:8px; border:1px solid var(--line); border-radius:4px; font:inherit; }
button { padding:8px 14px; border:0; border-radius:4px; background:var(--accent); color:#fff; font:inherit; cursor:pointer; }
button.link { background:none; color:var(--accent); padding:0; }
.error { color:#b42318; margin-top:12px; }
nav.filters { display:flex; gap:12px; margin-bottom:12px; }
nav.filters a.active { font-weight:600; color:var(--ink); }
table.threads td form { margin:0 0 6px; }
`;
