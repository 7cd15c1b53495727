// The admin UI's only script, for conveniences; every page works without it.
"use strict";
document.addEventListener("submit", (event) => {
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});
document.addEventListener("click", (event) => {
  const id = event.target.getAttribute && event.target.getAttribute("data-copy");
  if (!id || !navigator.clipboard) return;
  navigator.clipboard.writeText(document.getElementById(id).textContent).then(() => { event.target.textContent = "Copied"; });
});
