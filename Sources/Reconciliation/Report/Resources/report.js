(function(){
var table=document.getElementById('lines');var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
var filter=document.getElementById('filter');var kind=document.getElementById('classification');
var shown=document.getElementById('shown');
function apply(){var text=filter.value.toLowerCase();var wanted=kind.value;var count=0;
for(var i=0;i<rows.length;i++){var r=rows[i];var ok=(wanted===''||(wanted==='breaks'?r.dataset.break==='true':r.className===wanted))&&(text===''||r.textContent.toLowerCase().indexOf(text)>=0);r.style.display=ok?'':'none';
if(ok)count++;}shown.textContent=count+' of '+rows.length+' lines';}
function decimal(a,b){if(a===b)return 0;if(a==='')return 1;if(b==='')return -1;var na=a[0]==='-',nb=b[0]==='-';
if(na!==nb)return na?-1:1;var x=(na?a.slice(1):a).split('.'),y=(nb?b.slice(1):b).split('.');
var c=x[0].length-y[0].length;if(c===0){c=x[0]<y[0]?-1:(x[0]>y[0]?1:0);}
if(c===0){var fx=x[1]||'',fy=y[1]||'';var n=Math.max(fx.length,fy.length);fx=fx+Array(n-fx.length+1).join('0');
fy=fy+Array(n-fy.length+1).join('0');c=fx<fy?-1:(fx>fy?1:0);}return na?-c:c;}
var headers=table.tHead.rows[0].cells;
for(var h=0;h<headers.length;h++){(function(index){headers[index].addEventListener('click',function(){
var th=headers[index];var ascending=th.getAttribute('aria-sort')!=='ascending';
for(var k=0;k<headers.length;k++)headers[k].removeAttribute('aria-sort');
th.setAttribute('aria-sort',ascending?'ascending':'descending');var numeric=th.dataset.type==='number';
rows.sort(function(p,q){var a=p.cells[index],b=q.cells[index];var c=numeric?decimal(a.dataset.value,b.dataset.value):a.textContent.localeCompare(b.textContent);return ascending?c:-c;});
for(var i=0;i<rows.length;i++)body.appendChild(rows[i]);});})(h);}
filter.addEventListener('input',apply);kind.addEventListener('change',apply);
if(!rows.some(function(r){return r.dataset.break==='true';}))kind.value='';
apply();var box=table.parentNode;
document.body.dataset.linesOverflow=String(box.scrollWidth>box.clientWidth+1);document.body.dataset.ready='true';
})();
