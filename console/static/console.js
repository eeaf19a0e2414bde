// Llave CDMX reviewer console: small progressive enhancements (the pages work without them).
(function () {
  "use strict";

  function decisionForm() {
    var form = document.getElementById("decision-form");
    if (!form) return;
    var cause = form.querySelector("select[name=cause]");
    var note = form.querySelector("textarea[name=note]");
    var message = form.querySelector("textarea[name=message]");
    function update() {
      var chosen = form.querySelector("input[name=action]:checked");
      var action = chosen ? chosen.value : "";
      form.classList.toggle("show-reject", action === "reject");
      form.classList.toggle("show-resubmit", action === "resubmit");
      cause.required = action === "reject";
      note.required = action === "reject";
      message.required = action === "resubmit";
    }
    form.addEventListener("change", update);
    form.addEventListener("submit", function (event) {
      var chosen = form.querySelector("input[name=action]:checked");
      var words = { approve: "APROBAR", reject: "RECHAZAR", resubmit: "SOLICITAR REENVÍO de" };
      if (chosen && !window.confirm("¿Confirmas " + words[chosen.value] + " esta solicitud? La decisión queda en la bitácora.")) {
        event.preventDefault();
      }
    });
    update();
  }

  function imageFallbacks() {
    document.querySelectorAll("img[data-fallback]").forEach(function (img) {
      function replace() {
        var box = document.createElement("div");
        box.className = "img-missing";
        box.textContent = img.getAttribute("data-fallback");
        var link = img.closest("a");
        (link || img).replaceWith(box);
      }
      if (img.complete && img.naturalWidth === 0) replace();
      else img.addEventListener("error", replace);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    decisionForm();
    imageFallbacks();
  });
})();
