const url='http://127.0.0.1:3111/mcp';
const env={ 'io.modelcontextprotocol/protocolVersion':'2026-07-28','io.modelcontextprotocol/clientInfo':{name:'a',version:'1'},'io.modelcontextprotocol/clientCapabilities':{} };
function deep(n){let s='1';for(let i=0;i<n;i++)s='{"a":'+s+'}';return s;}
function deepArr(n){return '['.repeat(n)+']'.repeat(n);}
async function send(method, paramsJson, extraHeaders={}) {
  const body = `{"jsonrpc":"2.0","id":1,"method":"${method}","params":${paramsJson}}`;
  const t=Date.now();
  try {
  const r = await fetch(url,{method:'POST',headers:{'content-type':'application/json',accept:'application/json, text/event-stream','mcp-protocol-version':'2026-07-28','mcp-method':method, ...extraHeaders},body});
  const txt = await r.text();
  console.log(method, r.status, (Date.now()-t)+'ms', txt.slice(0,200).replace(/\n/g,' '));
  } catch(e){ console.log(method,'ERR',e.message); }
}
(async()=>{
  const m = JSON.stringify(env);
  const n = +process.argv[2]||5000;
  await send("prompts/get", `{"name":"x","arguments":${deep(n)},"_meta":${m}}`, {"mcp-name":"x"});
  await send('resources/read', `{"uri":${deep(n)},"_meta":${m}}`);
  await send('completion/complete', `{"ref":${deep(n)},"argument":{"name":"a","value":"b"},"_meta":${m}}`);
  await send('tools/list', `{"cursor":${deep(n)},"_meta":${m}}`);
  await send('server/discover', `{"x":${deepArr(n)},"_meta":${m}}`);
  await send('tools/call', `{"name":"scrape_url","arguments":{"url":"http://127.0.0.1:1/"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":${deep(n)},"io.modelcontextprotocol/clientCapabilities":{}}}`, {'mcp-name':'scrape_url'});
  await send('tools/call', `{"name":"scrape_url","arguments":{"url":"http://127.0.0.1:1/"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"a","version":"1"},"io.modelcontextprotocol/clientCapabilities":${deep(n)}}}`, {'mcp-name':'scrape_url'});
  await send('tools/call', `{"name":"scrape_url","arguments":{"url":"http://127.0.0.1:1/"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"a","version":"1"},"io.modelcontextprotocol/clientCapabilities":{},"progressToken":${deep(n)}}}`, {'mcp-name':'scrape_url'});
  await send('tools/list', `{"_meta":${m}}`);
})();
