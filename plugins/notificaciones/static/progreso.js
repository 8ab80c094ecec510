// Progress of a remesa: polls the API every two seconds until the run is finished.
(function () {
  "use strict";
  var bar = document.getElementById("progreso");
  var text = document.getElementById("progreso-texto");
  if (!bar || !bar.dataset.url) { return; }
  function poll() {
    fetch(bar.dataset.url, {credentials: "same-origin", headers: {accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (remesa) {
        if (!remesa) { return; }
        bar.value = remesa.done;
        text.textContent = remesa.done + " / " + remesa.total;
        if (remesa.state === "en_curso") { setTimeout(poll, 2000); } else { window.location.reload(); }
      });
  }
  setTimeout(poll, 2000);
})();
