// Fusion Set editor: a switch shows or hides the settings it controls (values are kept).
(function () {
  "use strict";

  function sync(input) {
    var target = document.getElementById(input.getAttribute("data-controls"));
    if (target) {
      target.hidden = !input.checked;
      input.setAttribute("aria-expanded", input.checked ? "true" : "false");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var switches = document.querySelectorAll("input[role=switch][data-controls]");
    Array.prototype.forEach.call(switches, function (input) {
      input.setAttribute("aria-controls", input.getAttribute("data-controls"));
      sync(input);
      input.addEventListener("change", function () { sync(input); });
    });
  });
})();
