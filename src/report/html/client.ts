/**
 * The stylesheet and the script embedded in every HTML report. The script reads the JSON data
 * element and builds the page with createElement/textContent only: no string from the capture is
 * ever parsed as markup. (Kept as strings: they run in the browser, not in Node.)
 */

export const PAGE_CSS = String.raw`
:root{--fg:#1b1b1b;--muted:#5c5c5c;--line:#c9c9c9;--bg:#fff;--err:#b3261e;--warn:#8a5a00;--info:#2f5f8a;--cl:#0b5394;--sv:#38761d;--hl:#c2185b;--band:#f2f2f2}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1180px;margin:0 auto;padding:16px 20px 60px}
h1{font-size:20px;margin:8px 0 4px}
h2{font-size:17px;margin:18px 0 6px}
h3{font-size:15px;margin:12px 0 4px}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.muted{color:var(--muted)}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0 10px}
.facts dt{color:var(--muted)}
.facts dd{margin:0;overflow-wrap:anywhere}
.sentence{font-size:16px;font-weight:600;margin:10px 0}
.problems li{color:var(--warn)}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{text-align:left;padding:3px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;background:#f6f6f6}
th.sortable{cursor:pointer;user-select:none}
th.sortable::after{content:" \2195";color:var(--muted)}
th[aria-sort=ascending]::after{content:" \2191"}
th[aria-sort=descending]::after{content:" \2193"}
tr.row{cursor:pointer}
tr.row:hover{background:#f3f6fb}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:8px 0}
.filters label{display:flex;gap:4px;align-items:center}
.sev{white-space:nowrap;font-weight:600}
.sev-error{color:var(--err)}.sev-warning{color:var(--warn)}.sev-info{color:var(--info)}
.fault{font-weight:600}
details.session{border:1px solid var(--line);border-radius:6px;margin:12px 0;padding:0 12px}
details.session:not([open]){content-visibility:auto;contain-intrinsic-size:auto 42px}
details.session>summary{cursor:pointer;padding:8px 0;font-weight:600}
details.file{border:1px solid var(--line);border-radius:6px;margin:10px 0;padding:0 12px}
details.file>summary{cursor:pointer;padding:8px 0;font-weight:600}
.verdict{border-left:4px solid var(--fg);padding:6px 12px;margin:8px 0;background:#fafafa}
.verdict.v-none{border-left-style:dotted}
.verdict.v-undetermined{border-left-style:dashed}
blockquote{margin:6px 0;padding:2px 10px;border-left:3px double var(--muted);font-style:italic}
ol.findings{padding-left:0;list-style:none}
ol.findings li{border:1px solid var(--line);border-radius:5px;padding:6px 10px;margin:6px 0}
ol.findings li.sel{outline:3px dashed var(--hl);outline-offset:1px}
ol.findings li .head{display:flex;flex-wrap:wrap;gap:8px;align-items:baseline}
.evidence{color:var(--muted);overflow-wrap:anywhere}
.msg{overflow-wrap:anywhere}
button{font:inherit;font-size:12.5px;padding:1px 8px;border:1px solid #888;border-radius:4px;background:#fff;cursor:pointer}
button:hover{background:#eee}
button[aria-pressed=true]{background:#222;color:#fff}
.filter-text{overflow-wrap:anywhere}
.ladder-tools{display:flex;gap:14px;align-items:center;flex-wrap:wrap;margin:6px 0}
.ladder{overflow-x:auto}
svg.lad{display:block;width:100%;max-width:1120px;height:auto;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11px}
svg.lad text{fill:var(--fg);paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg.lad .life{stroke:#777;stroke-width:1.5}
svg.lad .life.mb{stroke-dasharray:6 4}
svg.lad .who{font-weight:bold;font-size:12px}
svg.lad .axis{fill:var(--muted)}
svg.lad .seg line{stroke-width:1.6}
svg.lad .seg.c line{stroke:var(--cl)}
svg.lad .seg.s line{stroke:var(--sv)}
svg.lad .seg.c text.hd{fill:var(--cl)}
svg.lad .seg.s text.hd{fill:var(--sv)}
svg.lad .seg.cut line{stroke-dasharray:9 3}
svg.lad .ack line{stroke:#999;stroke-dasharray:2 3}
svg.lad .ack text{fill:#888}
svg.lad.noack .ack{display:none}
svg.lad .close line{stroke:#444;stroke-width:2}
svg.lad .close.rst line{stroke-width:3;stroke-dasharray:3 2}
svg.lad .gap rect.box{stroke:var(--err);stroke-dasharray:4 2}
svg.lad .msgblk rect.blk{stroke:var(--cl)}
svg.lad .tlsrec line{stroke:#7f6000;stroke-width:1.4;stroke-dasharray:5 3}
svg.lad .tlsrec text.hd{fill:#7f6000}
svg.lad .tls rect{stroke:#999;stroke-dasharray:8 4}
svg.lad .tls text{fill:#666}
svg.lad .brk path{fill:none;stroke:#999}
svg.lad .brk rect{fill:#fff}
svg.lad .brace path{fill:none;stroke:#555;stroke-width:1.2}
svg.lad .brace text{fill:#333}
svg.lad .early rect{stroke:var(--err);stroke-dasharray:3 2}
svg.lad .early text{fill:var(--err);font-weight:bold}
svg.lad text.note{fill:var(--err);font-weight:bold}
svg.lad .halo{fill:none;stroke:none}
svg.lad .hl .halo{stroke:var(--hl);stroke-width:2;stroke-dasharray:5 3}
svg.lad .hl line{stroke-width:3.5}
svg.lad .hl text{font-weight:bold}
svg.lad .hl text.hd{text-decoration:underline}
.legend{color:var(--muted);font-size:12.5px;margin:4px 0 10px}
.legend li{margin:1px 0}
.small{font-size:12.5px}
.hidden{display:none}
@media print{
  body{font-size:11pt}
  main{max-width:none;padding:0}
  .filters,.ladder-tools,button,.legend-toggle{display:none!important}
  details.session,details.file{border:none;padding:0;break-inside:auto}
  details.session>summary{break-after:avoid}
  svg.lad{max-width:100%;break-inside:auto}
  svg.lad.noack .ack{display:inline}
  details.session{content-visibility:visible}
  a{color:inherit}
  a[href^=http]::after{content:" (" attr(href) ")";font-size:9pt}
}
`;

export const CLIENT_JS = String.raw`(function(){
"use strict";
var SVGNS="http://www.w3.org/2000/svg";
var SEV=["error","warning","info"];
var SEVMARK=["\u25a0","\u25b2","\u25cf"];
var WHO={client:"the client",server:"the server",middlebox:"a middlebox"};
var app=document.getElementById("app");
var D=null;

function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!==undefined&&text!==null)e.textContent=String(text);return e;}
function add(p){for(var i=1;i<arguments.length;i++){var c=arguments[i];if(c===null||c===undefined)continue;p.appendChild(typeof c==="string"?document.createTextNode(c):c);}return p;}
function sv(tag,attrs,text){var e=document.createElementNS(SVGNS,tag);if(attrs)for(var k in attrs)e.setAttribute(k,String(attrs[k]));if(text!==undefined&&text!==null)e.textContent=String(text);return e;}
function plural(n,one,many){return n+" "+(n===1?one:(many||one+"s"));}
function num(n){return String(n).replace(/\B(?=(\d{3})+(?!\d))/g,",");}
function pad(n,w){n=String(n);while(n.length<w)n="0"+n;return n;}
function utc(sec){if(sec===null||sec===undefined)return "unknown";var d=new Date(Math.round(sec*1000));return d.getUTCFullYear()+"-"+pad(d.getUTCMonth()+1,2)+"-"+pad(d.getUTCDate(),2)+" "+pad(d.getUTCHours(),2)+":"+pad(d.getUTCMinutes(),2)+":"+pad(d.getUTCSeconds(),2)+"."+pad(d.getUTCMilliseconds(),3)+" UTC";}
function exactUtc(iso,sec){return iso?iso.replace("T"," ").replace("Z"," UTC"):utc(sec);}
function clock(sec){var d=new Date(Math.round(sec*1000));return pad(d.getUTCHours(),2)+":"+pad(d.getUTCMinutes(),2)+":"+pad(d.getUTCSeconds(),2)+"."+pad(d.getUTCMilliseconds(),3);}
function ms(v){return v>=10000?(v/1000).toFixed(1)+" s":v>=1000?(v/1000).toFixed(3)+" s":(Math.round(v*10)/10).toFixed(1)+" ms";}
function clip(s,n){return s.length<=n?s:s.slice(0,n-1)+"\u2026";}
function sevCounts(k){var parts=[];for(var i=0;i<3;i++)if(k[i])parts.push(SEVMARK[i]+" "+plural(k[i],SEV[i]));return parts.length?parts.join("  "):"no findings";}
function sevNode(k){var s=el("span","small");var any=false;for(var i=0;i<3;i++)if(k[i]){if(any)add(s,"  ");add(s,el("span","sev sev-"+SEV[i],SEVMARK[i]+" "+plural(k[i],SEV[i])));any=true;}if(!any)add(s,"no findings");return s;}
function faultText(f){return f==="none"?"nobody at fault":f==="undetermined"?"cannot judge":(WHO[f]||f)+" at fault";}

/* "RFC 2920 §3.1; RFC 5321 §4.3.1" -> links to rfc-editor.org (only digits and dots reach the URL) */
function refLinks(ref){
  var frag=document.createDocumentFragment();var rfc=null;
  var parts=String(ref).split(/(;\s*|,\s*)/);
  for(var i=0;i<parts.length;i++){
    var p=parts[i];var m=/RFC\s*(\d{1,5})/.exec(p);if(m)rfc=m[1];
    var sec=/\u00a7\s*([0-9A-Za-z.]+)/.exec(p);
    if(rfc&&(m||sec)&&/\S/.test(p)){
      var a=el("a",null,p);a.href="https://www.rfc-editor.org/rfc/rfc"+rfc+(sec&&/^[0-9.]+$/.test(sec[1].replace(/\.$/,""))?"#section-"+sec[1].replace(/\.$/,""):"");a.rel="noreferrer noopener";a.target="_blank";
      add(frag,a);
    } else add(frag,p);
  }
  return frag;
}

function copyText(text,btn){
  var done=function(){var o=btn.textContent;btn.textContent="copied";setTimeout(function(){btn.textContent=o;},1200);};
  var fallback=function(){var t=el("textarea");t.value=text;t.setAttribute("readonly","");t.style.position="fixed";t.style.opacity="0";document.body.appendChild(t);t.select();try{document.execCommand("copy");}catch(e){}document.body.removeChild(t);done();};
  try{if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(text).then(done,fallback);return;}}catch(e){}
  fallback();
}

function sessionSentence(F){
  var n=F.sessionCount;
  if(F.error)return "The file could not be read: "+F.error;
  if(n===0)return "No SMTP session"+(F.diagnosis?": "+F.diagnosis:".");
  var by={};var order=["client","server","middlebox","undetermined","none"];
  F.S.forEach(function(s){by[s.v[0]]=(by[s.v[0]]||0)+1;});
  if(F.onlyWithFindings&&n>F.S.length)by.none=(by.none||0)+(n-F.S.length);
  var keys=order.filter(function(k){return by[k];});
  Object.keys(by).forEach(function(k){if(order.indexOf(k)<0)keys.push(k);});
  var head=plural(n,"session")+": ";
  var phrase=function(k,first){return k==="none"?"nobody":k==="undetermined"?"cannot judge":(first?(WHO[k]||k)+" is at fault":(WHO[k]||k));};
  if(keys.length===1){var k=keys[0];
    if(n===1)return head+(k==="undetermined"?"cannot judge: the capture lacks what a judgement needs.":k==="none"?"nobody is at fault.":phrase(k,true)+".");
    var all=n===2?(k==="none"?"either":"both"):(k==="none"?"any of the "+n:"all "+n);
    if(k==="none")return head+"nobody is at fault in "+all+".";
    if(k==="undetermined")return head+"cannot judge "+all+": the capture lacks what a judgement needs.";
    return head+phrase(k,true)+" in "+all+".";
  }
  var faults=keys.filter(function(k){return k!=="none"&&k!=="undetermined";});
  var out=[];
  faults.forEach(function(k,i){out.push(i===0?phrase(k,true)+" in "+by[k]:phrase(k,false)+" in "+by[k]);});
  var s=out.join(", ");var rest=[];
  if(by.undetermined)rest.push("cannot judge "+by.undetermined);
  if(by.none)rest.push("nobody in "+by.none);
  return head+s+(s&&rest.length?"; ":"")+rest.join("; ")+".";
}

/* ---------- the ladder diagram ---------- */
var X0=300,X1=800,XM=550,TOP=78,SLANT=7,LH=13,BREAK_MS=1000,BREAKH=34,MAX_ROWS=2000;

function ladder(S){
  var rows={};var order=[];
  var frameTime={};
  function row(key,t,frame,kind){var r=rows[key];if(!r){r=rows[key]={key:key,t:t,frame:frame,kind:kind,pieces:[],lines:[],need:0};order.push(r);}return r;}
  var items=[];
  S.C.forEach(function(c,ci){
    if(c[0]===1){
      var g0=c[2][0];if(!g0)return;
      var r=row("m"+ci,g0[1],g0[0],"msg");r.msg=c;r.ci=ci;frameTime[g0[0]]=g0[1];return;
    }
    items.push({dir:0,i:ci,it:c,segs:c[2]});
  });
  S.R.forEach(function(rp,ri){items.push({dir:1,i:ri,it:rp,segs:rp[3]});});
  items.forEach(function(x){
    var prevCut=false;
    x.segs.forEach(function(g){
      frameTime[g[0]]=g[1];
      var r=row((x.dir?"s":"c")+g[0],g[1],g[0],"seg");r.dir=x.dir;
      r.pieces.push({x:x,g:g,cont:prevCut});prevCut=!!g[7];
    });
  });
  S.A.forEach(function(a){if(rows["c"+a[0]])return;var r=row("a"+a[0],a[1],a[0],"ack");r.ack=a[2];frameTime[a[0]]=a[1];});
  (S.L||[]).forEach(function(a){var r=row("t"+a[1]+"-"+a[0],a[2],a[1],"tls");r.dir=a[0];r.text=a[3];frameTime[a[1]]=a[2];});
  S.X.forEach(function(x){var r=row("x"+x[2]+"-"+x[0],x[3],x[2],"close");r.dir=x[0];r.what=x[1];frameTime[x[2]]=x[3];});
  var known=Object.keys(frameTime).map(Number).sort(function(a,b){return a-b;});
  function timeOfFrame(f){if(frameTime[f]!==undefined)return frameTime[f];var best=null;for(var i=0;i<known.length;i++){if(known[i]<=f)best=known[i];}if(best===null)return known.length?frameTime[known[0]]:0;return frameTime[best];}
  S.G.forEach(function(g,gi){var r=row("g"+gi,timeOfFrame(g[2]),g[2]-0.5,"gap");r.gap=g;});
  var early={};S.E.forEach(function(e){early[e[0]]=e;});
  order.sort(function(a,b){return a.t-b.t||a.frame-b.frame;});
  var cutRows=null;
  if(order.length>MAX_ROWS){var restRows=order.slice(MAX_ROWS);cutRows={n:restRows.length,from:restRows[0].frame,t:restRows[0].t};order=order.slice(0,MAX_ROWS);}

  /* label lines of each row */
  order.forEach(function(r){
    var L=[];
    if(r.kind==="seg"){
      var bytes=0,seq=null,ack=-1,cut=false;
      r.pieces.forEach(function(p){bytes+=p.g[4];if(seq===null)seq=p.g[2];if(p.g[3]>=0)ack=p.g[3];if(p.g[7])cut=true;});
      r.bytes=bytes;r.cut=cut;
      L.push({t:"frame "+r.frame+" \u00b7 "+plural(bytes,"byte")+" \u00b7 seq "+seq+(ack>=0?" ack "+ack:""),cls:"hd"});
      r.pieces.forEach(function(p){
        var x=p.x,g=p.g;var lines=x.dir?x.it[1]:[x.it[1]];
        if(x.dir===0&&x.it[0]===2)lines=[x.it[1]];
        var first=g[5],cnt=g[6];
        if(first<0||cnt===0){L.push({t:(p.cont?"\u2026 ":"")+"(part of a line: it ends in a later segment)"});return;}
        var shown=0;
        for(var j=first;j<first+cnt&&j<lines.length;j++){
          if(shown===3&&cnt>4){L.push({t:"\u2026 "+plural(first+cnt-j-1,"more line")+" \u2026"});L.push({t:clip(lines[first+cnt-1]||"",78),full:lines[first+cnt-1]});break;}
          var txt=lines[j];var pre=(j===first&&p.cont)?"\u21b3 ":"";
          L.push({t:pre+clip(txt,78),full:txt});shown++;
        }
        if(g[7])L.push({t:"\u2702 ends mid-line: the next line continues in a later segment"});
        if(x.dir===0&&(x.it[3]&1)&&g===x.segs[0])L.push({t:"(sent in plaintext after STARTTLS)"});
        if(x.dir===0&&(x.it[3]&2)&&g===x.segs[0])L.push({t:"(taken by the server as an AUTH response)"});
        if(x.dir===0){var e=early[x.i];if(e&&g===x.segs[0])r.early=e;}
      });
      if(r.early){var e2=r.early;var rp=S.R[e2[2]];
        r.note="ack "+e2[1]+": it had "+e2[3]+" of "+plural(e2[4],"line")+" of the "+(rp[0]>=0?rp[0]+" ":"")+"reply";}
    } else if(r.kind==="ack"){L.push({t:"frame "+r.frame+" \u00b7 ACK only \u00b7 ack "+r.ack,cls:"hd"});}
    else if(r.kind==="tls"){L.push({t:"frame "+r.frame+" \u00b7 TLS",cls:"hd"});
      /* the record names wrapped at their commas (never cut: each is a fact to check in Wireshark) */
      var parts=r.text.split(", "),line="";
      parts.forEach(function(p,j){var next=line?line+", "+p:p;if(line&&next.length>76){L.push({t:line+","});line=p;}else line=next;if(j===parts.length-1)L.push({t:clip(line,78),full:line});});}
    else if(r.kind==="close"){L.push({t:"frame "+r.frame+" \u00b7 "+r.what.toUpperCase()+" from the "+(r.dir?"server":"client"),cls:"hd"});}
    else if(r.kind==="gap"){L.push({t:"gap: "+plural(r.gap[1],"byte")+" of the "+(r.gap[0]?"server":"client")+"'s data are not in the capture (frame "+r.gap[2]+")",cls:"hd"});if(r.gap[3])L.push({t:clip(r.gap[3],80),full:r.gap[3]});}
    else if(r.kind==="msg"){var m=r.msg[5];var segs=r.msg[2];
      var lastF=m&&m[3]?m[3]:segs[segs.length-1][0];L.push({t:"message content (frame"+(lastF>segs[0][0]?"s "+segs[0][0]+"\u2013"+lastF:" "+segs[0][0])+")",cls:"hd"});
      if(m)L.push({t:num(m[0])+(m[0]===1?" byte in ":" bytes in ")+plural(m[1],"segment")+", "+plural(m[2],"line")+(m[3]?", end of data in frame "+m[3]:", end of data not seen")});
      L.push({t:"(collapsed to one block)"});
    }
    r.L=L;
    r.need=L.length*LH+(r.note?LH+2:0)+8;
    if(r.kind==="msg")r.need=Math.max(r.need,L.length*LH+14);
  });

  /* proportional time axis with breaks */
  var active=0;for(var i=1;i<order.length;i++){var dt=order[i].t-order[i-1].t;if(dt<=BREAK_MS)active+=dt;}
  var scale=Math.max(0.05,Math.min(0.5,1200/Math.max(1,active)));
  var y=TOP;var breaks=[];
  order.forEach(function(r,i){
    if(i===0){y=TOP+r.need;}
    else{var dt=r.t-order[i-1].t;
      if(dt>BREAK_MS){breaks.push({y:y+SLANT+8,dt:dt});y+=SLANT+BREAKH+r.need;}
      else y+=Math.max(r.need+SLANT,dt*scale);}
    r.y=y;
    if(r.kind==="msg")r.y2=y+14;
  });
  var H=(order.length?order[order.length-1].y:TOP)+(S.T?84:60);
  if(cutRows)H+=30;

  var svg=sv("svg",{"class":"lad",viewBox:"0 0 1120 "+Math.ceil(H),"aria-label":"Ladder diagram of tcp.stream "+S.st});
  var defs=sv("defs");
  function hatch(id,color,angle){var p=sv("pattern",{id:id,width:6,height:6,patternUnits:"userSpaceOnUse",patternTransform:"rotate("+angle+")"});p.appendChild(sv("rect",{width:6,height:6,fill:"#fff"}));p.appendChild(sv("line",{x1:0,y1:0,x2:0,y2:6,stroke:color,"stroke-width":1.5}));return p;}
  defs.appendChild(hatch("gaphatch","#e6a0a0",45));defs.appendChild(hatch("msghatch","#b7cde3",45));defs.appendChild(hatch("tlshatch","#e0e0e0",-45));defs.appendChild(hatch("earlyhatch","#f0b4b4",-45));
  function marker(id,path,fill){var m=sv("marker",{id:id,viewBox:"0 0 10 10",refX:9,refY:5,markerWidth:11,markerHeight:11,markerUnits:"userSpaceOnUse",orient:"auto-start-reverse"});m.appendChild(sv("path",{d:path,fill:fill,stroke:fill}));return m;}
  defs.appendChild(marker("ah-c","M0,0 L10,5 L0,10 z","#0b5394"));
  defs.appendChild(marker("ah-s","M0,0 L10,5 L0,10 z","#38761d"));
  defs.appendChild(marker("ah-t","M0,0 L10,5 L0,10 z","#7f6000"));
  defs.appendChild(marker("ah-a","M0,1 L10,5 L0,9","none"));
  defs.appendChild(marker("ah-f","M0,0 L10,5 L0,10 L3,5 z","#444"));
  defs.appendChild(marker("ah-r","M1,1 L9,9 M9,1 L1,9","#444"));
  defs.querySelector("#ah-a path").setAttribute("stroke","#999");
  defs.querySelector("#ah-r path").setAttribute("stroke-width","2");
  svg.appendChild(defs);
  /* ids must be unique in the page: prefix them */
  var pre="d"+S._id+"-";
  Array.prototype.forEach.call(defs.children,function(d){d.id=pre+d.id;});
  var ref=function(id){return "url(#"+pre+id+")";};

  /* TLS band, behind everything */
  if(S.T){var ty=TOP;for(var q=0;q<order.length;q++){if(order[q].frame>=S.T[1]){ty=order[q].y-order[q].need+4;break;}ty=order[q].y+SLANT+6;}
    var tg=sv("g",{"class":"tls","data-frame":S.T[1]});
    tg.appendChild(sv("rect",{x:X0,y:ty,width:X1-X0,height:Math.max(20,H-36-ty),fill:ref("tlshatch")}));
    tg.appendChild(sv("text",{x:XM,y:H-52,"text-anchor":"middle"},"TLS ("+S.T[0]+") from frame "+S.T[1]+(S.T[3]?", ClientHello frame "+S.T[3]:"")+(S.T[4]?", ServerHello frame "+S.T[4]:"")+" \u00b7 "+(S.L?"arrows name the TLS records of each frame; application data the key log did not open is shown only for its first frames":"encrypted records are not shown")));
    svg.appendChild(tg);}

  /* lifelines */
  var mb=!!S.mb;
  var pn=S.pn||["","",""];
  svg.appendChild(sv("text",{x:X0,y:18,"text-anchor":"middle","class":"who"},pn[0]?clip("client \u00b7 "+pn[0],44):"client"));
  svg.appendChild(sv("text",{x:X0,y:32,"text-anchor":"middle"},S.c));
  svg.appendChild(sv("text",{x:X1,y:18,"text-anchor":"middle","class":"who"},pn[1]?clip("server \u00b7 "+pn[1],44):"server"));
  svg.appendChild(sv("text",{x:X1,y:32,"text-anchor":"middle"},S.s));
  svg.appendChild(sv("text",{x:X0,y:46,"text-anchor":"middle","class":"axis"},S.syn?"SYN captured":"no SYN captured"));
  if(!S.b[0])svg.appendChild(sv("text",{x:X0,y:58,"text-anchor":"middle","class":"note"},"no data from the client in the capture"));
  if(!S.b[1])svg.appendChild(sv("text",{x:X1,y:46,"text-anchor":"middle","class":"note"},"no data from the server in the capture"));
  if(mb){svg.appendChild(sv("text",{x:XM,y:18,"text-anchor":"middle","class":"who"},pn[2]?clip("middlebox \u00b7 "+pn[2],60):"middlebox"));svg.appendChild(sv("text",{x:XM,y:32,"text-anchor":"middle","class":"axis"},"in the path per "+S.mb));
    svg.appendChild(sv("line",{x1:XM,y1:52,x2:XM,y2:H-30,"class":"life mb"}));}
  svg.appendChild(sv("line",{x1:X0,y1:52,x2:X0,y2:H-30,"class":"life"}));
  svg.appendChild(sv("line",{x1:X1,y1:52,x2:X1,y2:H-30,"class":"life"}));
  svg.appendChild(sv("text",{x:8,y:18,"class":"who"},"time (UTC)"));
  svg.appendChild(sv("text",{x:8,y:32,"class":"axis"},utc(S.t0).slice(0,10)));

  /* breaks */
  breaks.forEach(function(b){var g=sv("g",{"class":"brk"});
    g.appendChild(sv("rect",{x:4,y:b.y,width:1100,height:BREAKH-10}));
    var d="M4,"+(b.y+4);for(var x=4;x<1104;x+=16)d+=" l8,-5 l8,5";g.appendChild(sv("path",{d:d}));
    var d2="M4,"+(b.y+BREAKH-14);for(var x2=4;x2<1104;x2+=16)d2+=" l8,-5 l8,5";g.appendChild(sv("path",{d:d2}));
    g.appendChild(sv("text",{x:XM,y:b.y+(BREAKH-10)/2+3,"text-anchor":"middle","class":"axis"},"\u22ef axis cut: "+ms(b.dt)+" later \u22ef"));
    svg.appendChild(g);});

  var segY={};
  order.forEach(function(r){
    var y=r.y;
    var ax=sv("g",{"class":"axis"});
    ax.appendChild(sv("text",{x:8,y:y,"class":"axis"},clock(S.t0+r.t/1000)));
    ax.appendChild(sv("text",{x:100,y:y,"class":"axis"},"+"+ms(r.t)));
    var g;
    if(r.kind==="msg"){
      var frames=r.msg[2].map(function(s){return s[0];});if(r.msg[5]&&r.msg[5][3])frames.push(r.msg[5][3]);
      g=sv("g",{"class":"msgblk","data-frame":r.frame,"data-frames":frames.join(" ")});
      var top=y-r.need+6;
      g.appendChild(sv("rect",{"class":"halo",x:X0-4,y:top-3,width:X1-X0+8,height:r.need+SLANT}));
      g.appendChild(sv("rect",{"class":"blk",x:X0,y:top,width:X1-X0,height:r.need-4+SLANT,fill:ref("msghatch")}));
      r.L.forEach(function(l,j){g.appendChild(sv("text",{x:XM,y:top+13+j*LH,"text-anchor":"middle","class":l.cls||""},l.t));});
      segY[r.frame]=y;
    } else {
      var cls=r.kind==="seg"?"seg "+(r.dir?"s":"c")+(r.cut?" cut":""):r.kind==="close"?"close "+r.what:r.kind==="tls"?"tlsrec "+(r.dir?"s":"c"):r.kind;
      g=sv("g",{"class":cls,"data-frame":r.kind==="gap"?r.gap[2]:r.frame});
      var from=r.kind==="ack"?X0:r.dir?X1:X0,to=r.kind==="ack"?X1:r.dir?X0:X1;
      var labTop=y-(r.L.length-1)*LH-4-(r.note?LH+2:0);
      g.appendChild(sv("rect",{"class":"halo",x:X0+4,y:labTop-LH+1,width:X1-X0-8,height:y-labTop+LH+SLANT+2}));
      if(r.kind==="gap"){
        var gx=r.gap[0]?X1-60:X0;g.appendChild(sv("rect",{"class":"box",x:gx,y:y-6,width:60,height:14,fill:ref("gaphatch")}));
        g.appendChild(sv("text",{x:r.gap[0]?gx-6:gx+66,y:y+5,"text-anchor":r.gap[0]?"end":"start","class":"note"},"\u2307 missing"));
      } else {
        var mk=r.kind==="ack"?"ah-a":r.kind==="close"?(r.what==="rst"?"ah-r":"ah-f"):r.kind==="tls"?"ah-t":(r.dir?"ah-s":"ah-c");
        g.appendChild(sv("line",{x1:from,y1:y,x2:to,y2:y+SLANT,"marker-end":ref(mk)}));
      }
      r.L.forEach(function(l,j){var t=sv("text",{x:XM,y:labTop+j*LH,"text-anchor":"middle","class":l.cls||""},l.t);if(l.full&&l.full!==l.t)t.appendChild(sv("title",null,l.full));g.appendChild(t);});
      if(r.note)g.appendChild(sv("text",{x:XM,y:y-4,"text-anchor":"middle","class":"note"},"\u26a0 "+r.note));
      if(r.kind==="seg")segY[r.frame+(r.dir?"s":"c")]=y;
    }
    svg.appendChild(ax);svg.appendChild(g);
  });

  if(cutRows)svg.appendChild(sv("text",{x:XM,y:H-14,"text-anchor":"middle","class":"note"},"The diagram stops after "+MAX_ROWS+" rows: "+plural(cutRows.n,"more row")+", from frame "+Math.ceil(cutRows.from)+" (+"+ms(cutRows.t)+"), are not drawn."));
  /* brackets over the segments of each logical command and reply */
  var braceAt={};
  function brace(dir,ys,label,sub){
    var y0=Math.min.apply(null,ys)-3,y1=Math.max.apply(null,ys)+SLANT+3;
    var key=(dir?"s":"c")+Math.round(y0);var k=braceAt[key]=(braceAt[key]||0)+1;
    var bx=dir?X1+12+(k-1)*6:X0-12-(k-1)*6;var w=dir?6:-6;
    var g=sv("g",{"class":"brace"});
    g.appendChild(sv("path",{d:"M"+(bx-w)+","+y0+" h"+w+" V"+y1+" h"+(-w)}));
    var ly=(y0+y1)/2+4+(k-1)*LH*2;
    /* a bracket across an axis cut: its label goes below the band, not through it */
    breaks.forEach(function(b){var top=ly-LH,bot=ly+(sub?LH:0)+4;if(top<b.y+BREAKH-10&&bot>b.y)ly=b.y+BREAKH-10+LH+2;});
    var t=sv("text",{x:dir?bx+8:bx-8,y:ly,"text-anchor":dir?"start":"end"},clip(label,40));
    if(label.length>40)t.appendChild(sv("title",null,label));g.appendChild(t);
    if(sub)g.appendChild(sv("text",{x:dir?bx+8:bx-8,y:ly+LH,"text-anchor":dir?"start":"end","class":"axis"},sub));
    svg.appendChild(g);
  }
  S.R.forEach(function(rp){
    var ys=rp[3].map(function(g){return segY[g[0]+"s"];}).filter(function(v){return v!==undefined;});if(!ys.length)return;
    var n=rp[1].length+rp[2];
    brace(1,ys,(rp[0]>=0?rp[0]+" ":"")+(rp[5]?"greeting":"reply")+", "+plural(n,"line")+", "+plural(rp[3].length,"segment"),(rp[4]?"ends at seq "+rp[7]:"incomplete: no final line"));
  });
  S.C.forEach(function(c){
    if(c[0]===1)return;
    var ys=c[2].map(function(g){return segY[g[0]+"c"];}).filter(function(v){return v!==undefined;});if(!ys.length)return;
    var name=c[0]===2?"AUTH response":(c[1].split(" ")[0]||"command");
    brace(0,ys,clip(name,14)+", "+plural(c[2].length,"segment"),"ends at seq "+c[4]);
  });

  /* the server bytes a premature command had not received */
  S.E.forEach(function(e){
    var c=S.C[e[0]];if(!c||!c[2][0])return;var yc=segY[c[2][0][0]+"c"];var yt=segY[e[6]+"s"];
    if(yc===undefined)return;if(yt===undefined||yt<=yc)yt=yc+30;
    var g=sv("g",{"class":"early","data-frame":c[2][0][0],"data-frames":c[2][0][0]+" "+e[6]});
    g.appendChild(sv("rect",{x:X1-30,y:yc+SLANT+3,width:24,height:Math.max(6,yt-yc-3),fill:ref("earlyhatch")}));
    var mid=(yc+yt)/2;
    g.appendChild(sv("text",{x:X1-34,y:mid,"text-anchor":"end"},"seq "+e[1]+"\u2013"+e[5]+":"));
    g.appendChild(sv("text",{x:X1-34,y:mid+LH,"text-anchor":"end"},"not yet received by the client"));
    g.appendChild(sv("text",{x:X1-34,y:mid+2*LH,"text-anchor":"end"},"when it sent frame "+c[2][0][0]));
    svg.appendChild(g);
  });
  return svg;
}

function legend(S){
  var ul=el("ul","legend");
  var items=["Time runs down; vertical distance is proportional to time, stretched where labels need room; \u201caxis cut\u201d bands mark pauses over "+(BREAK_MS/1000)+" s. Times are capture times (UTC).",
    "Each data segment is an arrow from sender to receiver drawn at its capture time (one capture point cannot see transit time; the slant is only drawing). Solid blue: client \u2192 server; solid green: server \u2192 client; dashed: the segment ends inside a line (\u2702).",
    "Brackets group the segments of each logical command (left) and reply (right).",
    "Dotted grey arrows: ACKs without data. The model records only the client's last ACK before each server segment, so not every pure ACK is shown, and none of the server's.",
    "Hatched red bar (\u26a0): server bytes the client had not acknowledged when it sent a command early. Hatched box (\u2307): bytes missing from the capture. Grey hatched band: TLS."];
  if(S.L)items.push("Dashed brown arrows: the TLS records of one frame, named as Wireshark\u2019s Info column names them (\u201c(decrypted)\u201d: read with the key log). Decrypted application data is drawn as the commands and replies it carried.");
  if(S.b[2]||S.b[3])items.push("Retransmitted bytes: client "+S.b[2]+", server "+S.b[3]+". The model does not list which frames were retransmissions, so they are not marked.");
  items.forEach(function(t){add(ul,el("li",null,t));});
  return ul;
}

/* ---------- sessions ---------- */
var allSessions=[];var observer=null;
var uid=0;
function drawInto(S){
  if(S._drawn)return;S._drawn=true;
  S._holder.textContent="";
  var svg=ladder(S);S._svg=svg;
  if(!S._showAcks.checked)svg.classList.add("noack");
  add(S._holder,svg);
  if(S._sel!==null)highlight(S,S._sel);
}
function highlight(S,fi){
  if(!S._svg)return;
  var frames=fi===null?[]:S.F[fi][3];var set={};frames.forEach(function(f){set[f]=1;});
  Array.prototype.forEach.call(S._svg.querySelectorAll("[data-frame]"),function(e){
    var on=!!set[e.getAttribute("data-frame")];
    if(!on&&e.hasAttribute("data-frames"))on=e.getAttribute("data-frames").split(" ").some(function(f){return set[f];});
    e.classList.toggle("hl",on);
  });
}
function selectFinding(S,fi){
  S._sel=S._sel===fi?null:fi;
  S._items.forEach(function(li,i){var on=i===S._sel;li.classList.toggle("sel",on);li._btn.setAttribute("aria-pressed",on?"true":"false");});
  if(!S._drawn)drawInto(S);
  highlight(S,S._sel);
  if(S._sel!==null){var first=S._svg.querySelector(".hl");if(first&&first.scrollIntoView)first.scrollIntoView({block:"center",behavior:"instant"});}
}

function sessionBody(S){
  var box=el("div","body");
  var v=S.v;
  var vb=el("div","verdict v-"+v[0]);
  add(vb,el("p",null,v[1]));
  if(v[2]){var bq=el("blockquote");add(bq,"\u201c"+v[4]+"\u201d");add(vb,bq);var p=el("p","small");add(p,"Deciding rule ",el("code",null,v[2]),", ",refLinks(v[3]));add(vb,p);}
  if(v[5]&&v[5].length){var lp=el("p");add(lp,el("strong",null,"What the capture lacks: "),v[5].join(" "));add(vb,lp);}
  if(v[6])add(vb,el("p","small muted",plural(v[6],"rule")+" that read plaintext SMTP could not look at the encrypted part."));
  add(box,vb);
  var facts=el("p","small muted","frames "+S.f[0]+"\u2013"+S.f[1]+" \u00b7 "+exactUtc(S.t0i,S.t0)+" \u00b7 "+ms(S.dur)+" \u00b7 bytes client "+num(S.b[0])+" / server "+num(S.b[1])+" \u00b7 "+plural(S.C.length,"command")+", "+plural(S.R.length,"reply","replies")+(S.T?" \u00b7 TLS ("+S.T[0]+") from frame "+S.T[1]:"")+(S.P?(S.P[1]?" \u00b7 STARTTLS answered 220 in frame "+S.P[0]+"; the capture holds the TLS phase decrypted":" \u00b7 STARTTLS answered 220 in frame "+S.P[0]+", but no TLS handshake followed: the dialogue went on in plaintext"):"")+(S.b[2]||S.b[3]?" \u00b7 retransmitted bytes client "+S.b[2]+" / server "+S.b[3]:""));
  add(box,facts);
  if(S.N.length){var nu=el("ul","small");S.N.forEach(function(n){add(nu,el("li",null,"note: "+n));});add(box,nu);}
  if(S.F.length){
    add(box,el("h3",null,"Findings"));
    var ol=el("ol","findings");S._items=[];
    S.F.forEach(function(f,fi){
      var li=el("li");li.setAttribute("data-rule",f[0]);li.setAttribute("data-severity",SEV[f[1]]);li.setAttribute("data-side",f[2]);
      var head=el("div","head");
      add(head,el("span","sev sev-"+SEV[f[1]],SEVMARK[f[1]]+" "+SEV[f[1]].toUpperCase()),el("code",null,f[0]),el("span",null,"["+f[2]+"]"),el("span","muted","frames "+f[3].join(", ")+(f[9]>1?" \u00b7 "+f[9]+" times":"")));
      var b=el("button",null,"show in diagram");b.type="button";b.setAttribute("aria-pressed","false");b.addEventListener("click",function(){selectFinding(S,fi);});li._btn=b;
      add(head,b);add(li,head);
      add(li,el("div","msg",f[4]));
      if(f[8])add(li,el("div","evidence",f[8]));
      if(f[6])add(li,el("div","evidence","evidence: "+f[6]));
      var rl=el("div","small");add(rl,refLinks(f[5]));add(li,rl);
      var fl=el("div","small");var cb=el("button",null,"copy filter");cb.type="button";cb.addEventListener("click",function(){copyText(f[7],cb);});
      add(fl,"Wireshark filter: ",el("code","filter-text",f[7])," ",cb);add(li,fl);
      S._items.push(li);add(ol,li);
    });
    add(box,ol);
  } else add(box,el("p","muted","No findings."));
  add(box,el("h3",null,"Ladder diagram"));
  var tools=el("div","ladder-tools");
  var lab=el("label");var cbx=el("input");cbx.type="checkbox";cbx.checked=true;S._showAcks=cbx;
  cbx.addEventListener("change",function(){if(S._svg)S._svg.classList.toggle("noack",!cbx.checked);});
  add(lab,cbx," show ACKs without data (dimmed)");add(tools,lab);add(box,tools);
  S._holder=el("div","ladder");S._holder._session=S;add(S._holder,el("p","muted","(drawn when shown)"));add(box,S._holder);
  add(box,legend(S));
  return box;
}

function sessionSection(S,fi){
  S._id=uid++;S._sel=null;S._drawn=false;
  var d=el("details","session");d.id="f"+fi+"-s"+S.n;
  var sum=el("summary");
  add(sum,"Session "+S.n+" \u00b7 tcp.stream "+S.st+" \u00b7 "+S.c+" \u2192 "+S.s+" \u00b7 ",el("span","fault",faultText(S.v[0]))," \u00b7 ",sevNode(S.k));
  add(d,sum);S._details=d;
  var built=false;
  var build=function(){if(built)return;built=true;add(d,sessionBody(S));};
  S._build=build;
  d.addEventListener("toggle",function(){if(!d.open)return;build();if(S._defer&&observer){S._defer=false;observer.observe(S._holder);}else drawInto(S);});
  return d;
}

function sessionTable(F,fi,sections){
  var t=el("table","sessions");var th=el("tr");["session","tcp.stream","client \u2192 server","verdict","findings"].forEach(function(h){add(th,el("th",null,h));});
  var thead=el("thead");add(thead,th);add(t,thead);var tb=el("tbody");
  F.S.forEach(function(S){
    var tr=el("tr","row");tr.setAttribute("data-session",S.n);
    add(tr,el("td",null,S.n),el("td",null,S.st),el("td","mono",S.c+" \u2192 "+S.s),el("td","fault",faultText(S.v[0])));var td=el("td");add(td,sevNode(S.k));add(tr,td);
    var go=function(){S._details.open=true;S._build();drawInto(S);S._details.scrollIntoView({block:"start"});};
    tr.tabIndex=0;tr.addEventListener("click",go);tr.addEventListener("keydown",function(e){if(e.key==="Enter")go();});
    S._row=tr;add(tb,tr);
  });
  add(t,tb);return t;
}

function filtersFor(F,onChange){
  var box=el("div","filters");
  var rules={};F.S.forEach(function(S){S.F.forEach(function(f){rules[f[0]]=1;});});
  function sel(label,opts){var l=el("label");var s=el("select");add(s,el("option",null,"any"));s.options[0].value="";opts.forEach(function(o){var op=el("option",null,o);op.value=o;add(s,op);});s.addEventListener("change",onChange);add(l,label+" ",s);add(box,l);return s;}
  var side=sel("side",["client","server","middlebox"]);
  var rule=sel("rule",Object.keys(rules).sort());
  var sev=sel("severity",SEV);
  var count=el("span","muted");add(box,count);
  return {box:box,get:function(){return {side:side.value,rule:rule.value,sev:sev.value};},count:count};
}

function matches(S,q){
  if(!q.side&&!q.rule&&!q.sev)return true;
  return S.F.some(function(f){return (!q.side||f[2]===q.side)&&(!q.rule||f[0]===q.rule)&&(!q.sev||SEV[f[1]]===q.sev);});
}

function fileBlock(F,fi,batch){
  var box=el("section","file");
  add(box,el("h1",null,(batch?"":"smtpcap report: ")+F.name));
  var dl=el("dl","facts");
  function fact(k,v){add(dl,el("dt",null,k));var dd=el("dd");add(dd,v);add(dl,dd);}
  fact("file",el("code",null,F.name));
  fact("SHA-256",F.sha?el("code",null,F.sha):"not computed (standard input, or the file could not be read again)");
  fact("format",F.format+" \u00b7 "+plural(F.packets,"packet")+" \u00b7 "+num(F.bytes)+(F.bytes===1?" byte":" bytes"));
  var tf=F.timesFrom==="packets"?"":" (of the SMTP sessions; the file's first and last packet times were not provided)";
  fact("first packet",exactUtc(F.fi,F.first)+tf);
  fact("last packet",exactUtc(F.li,F.last)+tf);
  fact("findings",sevNode(F.k));
  if(D.secrets)fact("credentials","shown (--show-secrets)");
  add(box,dl);
  add(box,el("p","sentence",sessionSentence(F)));
  if(F.problems.length){var pu=el("ul","problems");F.problems.forEach(function(p){add(pu,el("li",null,p));});add(box,pu);}
  if(F.diagnosis&&F.S.length)add(box,el("p","muted",F.diagnosis));
  if(!F.S.length)return box;
  if(F.onlyWithFindings)add(box,el("p","muted","Listed: the "+plural(F.S.length,"session")+" with findings, of "+F.sessionCount+"."));
  var sections=[];
  var flt=filtersFor(F,function(){apply();});
  add(box,el("h2",null,"Sessions"));
  add(box,flt.box);
  add(box,sessionTable(F,fi,sections));
  F.S.forEach(function(S){var d=sessionSection(S,fi);sections.push(d);add(box,d);allSessions.push(S);});
  function apply(){var q=flt.get();var shown=0;F.S.forEach(function(S){var on=matches(S,q);S._row.classList.toggle("hidden",!on);S._details.classList.toggle("hidden",!on);if(on)shown++;});flt.count.textContent=shown===F.S.length?"":shown+" of "+F.S.length+" shown";}
  return box;
}

/* open the sessions with an error or a warning; draw the first ones now, the others when they scroll into view */
var DRAW_NOW=20;
function openSerious(list){
  var drawn=0;
  list.forEach(function(S){
    if(S.k[0]+S.k[1]===0)return;
    S._build();
    if(drawn<DRAW_NOW){drawInto(S);drawn++;}else S._defer=true;
    S._details.open=true;
  });
}

if("IntersectionObserver" in window){
  observer=new IntersectionObserver(function(entries){entries.forEach(function(en){if(!en.isIntersecting)return;observer.unobserve(en.target);var S=en.target._session;if(S)drawInto(S);});},{rootMargin:"600px"});
}

function sortableTable(rows,cols,onRow){
  var t=el("table","files");var thead=el("thead");var hr=el("tr");
  var tb=el("tbody");var dir={};
  cols.forEach(function(c,ci){var th=el("th","sortable",c.name);th.setAttribute("aria-sort","none");th.tabIndex=0;
    var go=function(){dir[ci]=dir[ci]==="ascending"?"descending":"ascending";Array.prototype.forEach.call(hr.children,function(h){h.setAttribute("aria-sort","none");});th.setAttribute("aria-sort",dir[ci]);
      var sorted=rows.slice().sort(function(a,b){var x=c.key(a),y=c.key(b);var r=typeof x==="number"?x-y:String(x).localeCompare(String(y));return dir[ci]==="ascending"?r:-r;});
      sorted.forEach(function(r){add(tb,r._tr);});};
    th.addEventListener("click",go);th.addEventListener("keydown",function(e){if(e.key==="Enter")go();});add(hr,th);});
  add(thead,hr);add(t,thead);
  rows.forEach(function(r){var tr=el("tr","row");tr.tabIndex=0;cols.forEach(function(c){var td=el("td",c.cls||null);add(td,c.show(r));add(tr,td);});tr.addEventListener("click",function(){onRow(r);});tr.addEventListener("keydown",function(e){if(e.key==="Enter")onRow(r);});r._tr=tr;add(tb,tr);});
  add(t,tb);return t;
}

function main(){
  app.textContent="";
  if(D.kind==="batch"){
    add(app,el("h1",null,"smtpcap batch report: "+plural(D.files.length,"file")));
    var tot=[0,0,0],sess=0,unread=0;D.files.forEach(function(F){sess+=F.sessionCount;for(var i=0;i<3;i++)tot[i]+=F.k[i];if(F.error)unread++;});
    var p=el("p","sentence",plural(D.files.length,"file")+", "+plural(sess,"SMTP session")+": ");add(p,sevNode(tot));if(unread)add(p," \u00b7 "+plural(unread,"file")+" could not be read");add(app,p);
    if(D.secrets)add(app,el("p",null,"Credentials are shown (--show-secrets)."));
    add(app,el("p","muted small","Click a column to sort, a row to open the file."));
    var blocks=[];
    var rows=D.files.map(function(F,fi){return {F:F,fi:fi};});
    var worst=function(F){return F.error?4:F.k[0]?3:F.k[1]?2:F.k[2]?1:0;};
    var cols=[{name:"file",key:function(r){return r.F.name;},show:function(r){return el("code",null,r.F.name);}},
      {name:"verdict",key:function(r){return worst(r.F);},show:function(r){return sessionSentence(r.F);}},
      {name:"sessions",key:function(r){return r.F.sessionCount;},show:function(r){return String(r.F.sessionCount);}},
      {name:"errors",key:function(r){return r.F.k[0];},show:function(r){return r.F.k[0]?SEVMARK[0]+" "+r.F.k[0]:"0";},cls:"sev sev-error"},
      {name:"warnings",key:function(r){return r.F.k[1];},show:function(r){return r.F.k[1]?SEVMARK[1]+" "+r.F.k[1]:"0";},cls:"sev sev-warning"},
      {name:"infos",key:function(r){return r.F.k[2];},show:function(r){return r.F.k[2]?SEVMARK[2]+" "+r.F.k[2]:"0";},cls:"sev sev-info"},
      {name:"problems",key:function(r){return (r.F.error?1000:0)+r.F.problems.length;},show:function(r){return r.F.error?"unreadable":r.F.problems.length?plural(r.F.problems.length,"problem"):"";}}];
    add(app,sortableTable(rows,cols,function(r){var d=blocks[r.fi];d.open=true;d._fill();d.scrollIntoView({block:"start"});}));
    D.files.forEach(function(F,fi){
      var d=el("details","file");d.id="f"+fi;var s=el("summary");add(s,F.name+" \u00b7 "+sessionSentence(F));add(d,s);
      var filled=false;d._fill=function(){if(filled)return;filled=true;var before=allSessions.length;add(d,fileBlock(F,fi,true));openSerious(allSessions.slice(before));};
      d.addEventListener("toggle",function(){if(d.open)d._fill();});
      blocks.push(d);add(app,d);
    });
  } else {
    D.files.forEach(function(F,fi){add(app,fileBlock(F,fi,false));});
    openSerious(allSessions);
  }
}
/* printing: draw the ladders of open sessions not drawn yet */
window.addEventListener("beforeprint",function(){allSessions.forEach(function(S){if(S._details.open&&S._holder)drawInto(S);});});

/* the data: JSON, or for a large report gzip-compressed JSON in base64 (decompressed by the browser itself) */
var dataEl=document.getElementById("smtpcap-data");
function fail(e){app.textContent="";add(app,el("p",null,"This report could not be read: "+(e&&e.message?e.message:String(e))));}
if(dataEl.getAttribute("data-encoding")==="gzip-base64"){
  add(app,el("p","muted","Reading the report data…"));
  try{
    var bin=atob(dataEl.textContent.replace(/\s+/g,""));var bytes=new Uint8Array(bin.length);for(var bi=0;bi<bin.length;bi++)bytes[bi]=bin.charCodeAt(bi);
    new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text().then(function(t){D=JSON.parse(t);main();document.body.setAttribute("data-ready","1");},fail);
  }catch(e){fail(e);}
} else {D=JSON.parse(dataEl.textContent);main();document.body.setAttribute("data-ready","1");}
})();
`;
