// Counter speed for the registro's entry form: Enter on a NIF looks the person up and
// fills the fields (or says the NIF is unknown); Ctrl+Enter registers; Alt+N opens a new entry. The form works without.
(function () {
  "use strict";
  var form = document.getElementById("asiento-form");
  document.addEventListener("keydown", function (event) {
    if (event.altKey && (event.key === "n" || event.key === "N")) {
      event.preventDefault();
      window.location.href = window.location.pathname.replace(/\/registro\/.*$/, "/registro/nuevo");
    }
  });
  if (!form) { return; }
  var prefixes = {documento: "", rep_documento: "rep_"};
  var fields = {name: "nombre", first_surname: "apellido1", second_surname: "apellido2",
                business_name: "razon_social", email: "email", phone: "telefono",
                address: "direccion", postal_code: "codigo_postal"};
  function lookUp(input) {
    var prefix = prefixes[input.id];
    var value = input.value.trim();
    if (!value) { return; }
    fetch(form.dataset.lookup + encodeURIComponent(value), {credentials: "same-origin",
      headers: {accept: "application/json"}}).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (person) {
      if (person) {
        Object.keys(fields).forEach(function (key) {
          var target = document.getElementById(prefix + fields[key]);
          if (target && !target.value && person[key]) { target.value = person[key]; }
        });
      }
      var status = document.getElementById("lookup-status");
      if (status && !prefix) { status.textContent = person ? "" : form.dataset.unknown; }
      var next = document.getElementById(prefix + "nombre");
      (person && !prefix ? document.getElementById("extracto") : next).focus();
    });
  }
  Object.keys(prefixes).forEach(function (id) {
    var input = document.getElementById(id);
    if (!input) { return; }
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.ctrlKey) { event.preventDefault(); lookUp(input); }
    });
  });
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.ctrlKey) { event.preventDefault(); form.requestSubmit(); }
  });
}());
