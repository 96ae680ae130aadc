/** The report page's CSS: system fonts, readable on a laptop, A4/Letter print with colours kept. */
export const HTML_STYLE = `
:root{--ink:#1d2330;--muted:#5b6475;--line:#d9dde5;--bg:#fff;--soft:#f5f7fa;--warn:#8a5a00;--warn-bg:#fff6e0;--bad:#b3261e}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"DejaVu Sans",sans-serif}
main{max-width:1100px;margin:0 auto;padding:28px 24px 48px}
h1{font-size:28px;margin:0 0 4px}
h2{font-size:19px;margin:0 0 8px}
h3{font-size:15px;margin:12px 0 4px;color:var(--muted);font-weight:600}
section{margin:28px 0 0}
.sub{color:var(--muted);font-size:13px;margin:0 0 8px}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;background:var(--soft);padding:1px 4px;border-radius:3px;word-break:break-all}
.headline{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:12px;margin-top:20px}
.card{border:1px solid var(--line);border-radius:8px;padding:14px 16px;background:var(--soft)}
.card .label{color:var(--muted);font-size:13px}
.card .value{font-size:28px;font-weight:700;font-variant-numeric:tabular-nums;margin:2px 0}
.card .note{color:var(--muted);font-size:12.5px}
.warnings{background:var(--warn-bg);border:1px solid #f0d9a0;border-radius:8px;padding:12px 16px}
.warnings h2{font-size:16px;color:var(--warn)}
.warnings ul{margin:0;padding-left:20px}
.warnings li{margin:3px 0}
.warnings li.note{color:var(--muted)}
svg.chart{width:100%;height:auto;display:block;font:12px system-ui,-apple-system,"Segoe UI",Roboto,Arial,"DejaVu Sans",sans-serif;fill:var(--ink)}
svg .grid{stroke:#e6e9ef;stroke-width:1}
svg .baseline{stroke:#8a93a3;stroke-width:1}
svg .axis text{fill:#4a5263}
svg .axis-label{fill:var(--muted);font-size:12px}
svg .series rect{stroke:#fff;stroke-width:.5}
svg .day-totals rect:hover{fill:rgba(0,0,0,.04)}
svg .mark{fill:var(--bad)}
svg.hbars text{font-size:13px}
svg.hbars .value{fill:var(--muted)}
svg.burn .actual{fill:none;stroke:#0072B2;stroke-width:2.5}
svg.burn .actual-dot{fill:#0072B2}
svg.burn .alert line{stroke:#E69F00;stroke-width:1.5;stroke-dasharray:6 4}
svg.burn text{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg.burn .alert text{fill:#8a5a00;font-size:11px}
svg.burn .hard-stop line{stroke:#D55E00;stroke-width:1.5;stroke-dasharray:2 3}
svg.burn .hard-stop text{fill:#a23b00;font-size:11px}
svg.burn .band95{fill:#0072B2;opacity:.12}
svg.burn .band80{fill:#0072B2;opacity:.22}
svg.burn .forecast-mean{stroke:#0072B2;stroke-width:1.5;stroke-dasharray:4 3}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:6px 18px;padding:0;margin:6px 0 0;font-size:13px}
.legend li{display:flex;align-items:center;gap:6px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px}
.tabs>input{position:absolute;opacity:0;pointer-events:none}
.tab-labels{display:flex;gap:6px;margin:6px 0}
.tab-labels label{border:1px solid var(--line);border-radius:14px;padding:2px 12px;font-size:13px;cursor:pointer}
.tabs>input:focus-visible~.tab-labels label{outline:2px solid #0072B2}
.panel{display:none}
.two{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px 24px}
figure{margin:0}
figcaption{font-weight:600;margin-bottom:4px}
table{border-collapse:collapse;width:100%;font-size:13.5px;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:middle}
thead th{color:var(--muted);font-weight:600;border-bottom:2px solid var(--line)}
.num{text-align:right;white-space:nowrap}
tr.total th,tr.total td{font-weight:700;border-top:2px solid var(--line)}
tr.other td{color:var(--muted)}
svg.spark{display:block}
.budget{border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.badge{display:inline-block;font-size:12px;font-weight:600;border-radius:10px;padding:0 8px;background:#e3f1ea;color:#0b6b45}
.status-warn .badge{background:#fff1cc;color:#8a5a00}
.status-forecast-exceeded .badge{background:#ffe3d1;color:#a23b00}
.status-exceeded .badge{background:#fbd5d2;color:var(--bad)}
.facts{font-size:13px;color:var(--muted);margin:4px 0 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0 0 8px}
dt{color:var(--muted)}
dd{margin:0}
details summary{cursor:pointer;color:var(--muted)}
@media (max-width:640px){main{padding:16px 12px}.two{grid-template-columns:1fr}.card .value{font-size:22px}}
@media print{
  @page{margin:14mm}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  body{font-size:11pt}
  main{max-width:none;padding:0}
  .tab-labels,.day-totals{display:none}
  figure,.card,tr,svg,.warnings{break-inside:avoid}
  h2,h3{break-after:avoid}
  .headline{grid-template-columns:repeat(4,1fr);gap:8px}
  .card{padding:8px 10px}
  .card .value{font-size:18pt}
  svg.spark{width:80px;height:20px}
  .two{grid-template-columns:1fr 1fr}
  .warnings{background:none}
  details>table{display:table}
  a{color:inherit;text-decoration:none}
}
`;
