/* Material's scope and storage helpers (its partials/javascripts/base.html), with the scope taken
 * from this file's address (assets/kanwu-scope.js, so the site's root is "../") instead of an
 * inline script with the page's base URL. Loaded in <head>, before Material's bundle. */
__md_scope=new URL("../",document.currentScript.src),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,JSON.stringify(_))}catch(e){}}
