/* Material's partials/javascripts/content.html: open the tabbed block the address names. */
var target=document.getElementById(location.hash.slice(1));target&&target.name&&(target.checked=target.name.startsWith("__tabbed_"))
