/// The page's style and script, inline (no external files: the page opens from `file://`).
enum ReportAssets {
    /// Light and dark schemes from the reader's setting; statuses carry a glyph and a word as
    /// well as a colour; headers stick while a large matrix scrolls.
    static let css = """
    :root{--bg:#fafaf7;--fg:#1d1d1f;--muted:#5d5d66;--card:#fff;--line:#d8d8de;--head:#f0f0ec;
    --done:#1f7a3f;--failed:#b3261e;--new:#1c5fb8;--flight:#9a6200;--excluded:#8a8a93;--todo:#9bb8e0;
    color-scheme:light dark;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
    @media (prefers-color-scheme:dark){:root{--bg:#121214;--fg:#ececf1;--muted:#a4a4ae;--card:#1c1c20;--line:#34343b;
    --head:#232328;--done:#5cc98a;--failed:#ff8a80;--new:#8ab4f8;--flight:#f2b84b;--excluded:#777780;--todo:#3d5a80}}
    *{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg)}
    header.top{padding:16px 24px;border-bottom:1px solid var(--line)}h1{margin:0 0 4px;font-size:24px}
    h2{font-size:18px;margin:24px 24px 8px}h2 small{color:var(--muted);font-weight:normal;font-size:13px}
    .sub{margin:0 0 12px;color:var(--muted)}.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:4px 24px;margin:0}
    .warnings{margin:12px 0 0;padding:8px 12px;border-left:4px solid #b45309;background:#fef3c7;color:#451a03}.warnings p{margin:0}
    .facts div{display:flex;gap:8px}.facts dt{font-weight:600;min-width:64px}.facts dd{margin:0}
    .legend{list-style:none;display:flex;flex-wrap:wrap;gap:16px;padding:0;margin:12px 0 0}
    .glyph{font-weight:700}.st-done .glyph,[data-status=done] .glyph{color:var(--done)}
    .st-failed .glyph,[data-status=failed] .glyph{color:var(--failed)}.st-new .glyph,[data-status=new] .glyph{color:var(--new)}
    .st-in-flight .glyph,[data-status=in-flight] .glyph{color:var(--flight)}.st-excluded .glyph,[data-status=excluded] .glyph{color:var(--excluded)}
    .scroll{overflow:auto;max-height:85vh;width:fit-content;max-width:calc(100% - 48px);margin:0 24px;border:1px solid var(--line);background:var(--card)}
    .scroll:focus-visible,td:focus-visible{outline:3px solid var(--new);outline-offset:-3px}
    table.matrix{border-collapse:separate;border-spacing:0}
    .matrix th,.matrix td{border-right:1px solid var(--line);border-bottom:1px solid var(--line);vertical-align:top;padding:6px}
    .matrix thead th{position:sticky;top:0;z-index:2;background:var(--head)}
    .matrix tbody th{position:sticky;left:0;z-index:1;background:var(--head);text-align:left}
    .matrix thead th.corner{left:0;z-index:3;color:var(--muted);font-weight:normal;font-size:12px;vertical-align:bottom}
    .head{display:flex;flex-direction:column;align-items:flex-start;gap:2px;min-width:96px}.head img{border-radius:3px;object-fit:cover;background:#0003}
    .name{font-weight:600}.len{color:var(--muted);font-size:12px}
    td{width:172px;min-width:172px;border-left:4px solid transparent}
    td[data-status=done]{border-left-color:var(--done)}td[data-status=failed],td[data-status=in-doubt]{border-left-color:var(--failed)}
    td[data-status=new]{border-left-color:var(--new)}td[data-status=in-flight]{border-left-color:var(--flight)}
    td[data-status=excluded]{border-left-color:var(--excluded);background:repeating-linear-gradient(135deg,transparent 0 8px,#8883 8px 10px)}
    td[data-video]{cursor:pointer}
    .frame{width:160px;height:90px;background:#0002;display:flex;align-items:center;justify-content:center;border-radius:3px;overflow:hidden}
    .frame img,.frame video{width:160px;height:90px;object-fit:contain;display:block;background:#000}
    .playing .frame img{display:none}.placeholder{font-size:28px;color:var(--muted)}
    td p{margin:3px 0 0;font-size:12px}.status{font-weight:600}.meta{color:var(--muted)}
    .reason{color:var(--failed);max-width:160px;overflow-wrap:anywhere}
    td[data-change]{outline:3px dashed var(--new);outline-offset:-3px}.change{font-weight:600;max-width:160px}.removed li{text-decoration:line-through}
    .reels{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:16px;margin:0 24px}
    .reel{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:12px}.reel h3{margin:0 0 8px;font-size:15px}
    .reel video{width:100%;aspect-ratio:16/9;background:#000;border-radius:3px}.strip{width:100%;margin-top:6px;border-radius:3px}
    .renders{margin:6px 0 0;font-size:12px}.renders summary{cursor:pointer;color:var(--muted)}.renders ol{margin:4px 0 0;padding-left:20px;columns:2}.renders a{color:var(--new)}
    .placeholder-text{color:var(--muted)}
    .platform h3{margin:16px 24px 8px;font-size:15px}.platform h3 small{color:var(--muted);font-weight:normal;font-size:12px}
    .deliverables{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:16px;margin:0 24px}
    .deliverable{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:12px}.deliverable h4{margin:0 0 8px;font-size:14px}
    .deliverable video{display:block;width:100%;height:auto;max-height:360px;object-fit:contain;background:#000;border-radius:3px}
    .deliverable p{margin:4px 0 0;font-size:12px}.deliverable .files a{color:var(--new)}
    .deliverable .gif{margin-top:4px;font-size:12px}.deliverable .gif summary{cursor:pointer;color:var(--muted)}.deliverable .gif img{max-width:100%;margin-top:4px}
    .charts{display:flex;flex-wrap:wrap;gap:24px;margin:0 24px}.chart{margin:0}
    .chart text{fill:var(--fg);font-size:12px}.chart .chart-title{font-weight:600;font-size:13px}.chart .value{fill:var(--muted)}
    .chart .done{fill:var(--done)}.chart .todo-bg{fill:var(--todo)}.chart .todo-line{stroke:var(--new)}
    .key{margin:0 24px 8px;color:var(--muted)}.swatch{display:inline-block;width:14px;height:10px;vertical-align:middle;margin-left:8px}
    .swatch.done{background:var(--done)}.swatch.todo{background:repeating-linear-gradient(45deg,var(--todo) 0 3px,var(--new) 3px 5px)}
    footer{margin:24px;color:var(--muted);font-size:12px}
    .sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
    """

    /// Hover or focus + Enter plays a cell's render in place (muted, looping); a click or
    /// Enter keeps it playing with controls until the next click.
    static let script = """
    (()=>{const t=document.querySelector('table.matrix');if(!t)return;
    function start(td,pin){let v=td.querySelector('video');if(!v){const img=td.querySelector('.frame img');
    v=document.createElement('video');v.muted=true;v.loop=true;v.playsInline=true;v.preload='auto';
    if(img){v.poster=img.currentSrc||img.src;v.setAttribute('aria-label',img.alt)}v.src=td.dataset.video;
    td.querySelector('.frame').appendChild(v);td.classList.add('playing')}
    if(pin){td.dataset.pinned='1';v.controls=true}const p=v.play();if(p)p.catch(()=>{})}
    function stop(td){const v=td.querySelector('video');if(!v)return;v.pause();v.removeAttribute('src');v.load();v.remove();
    td.classList.remove('playing');delete td.dataset.pinned}
    const cellOf=e=>e.target.closest&&e.target.closest('td[data-video]');
    t.addEventListener('mouseover',e=>{const td=cellOf(e);if(td&&!td.contains(e.relatedTarget))start(td,false)});
    t.addEventListener('mouseout',e=>{const td=cellOf(e);if(td&&!td.contains(e.relatedTarget)&&!td.dataset.pinned)stop(td)});
    t.addEventListener('click',e=>{if(e.target.tagName==='VIDEO'&&e.target.controls)return;const td=cellOf(e);if(!td)return;
    td.dataset.pinned?stop(td):start(td,true)});
    t.addEventListener('keydown',e=>{if(e.key!=='Enter'&&e.key!==' ')return;const td=cellOf(e);if(!td||e.target!==td)return;
    e.preventDefault();td.dataset.pinned?stop(td):start(td,true)});})();
    """
}
