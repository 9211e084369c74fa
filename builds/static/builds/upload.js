// Drag-and-drop upload with a byte progress bar (XMLHttpRequest upload progress events).
(function () {
  "use strict";
  var area = document.getElementById("upload-area");
  if (!area) { return; }
  var input = document.getElementById("upload-input");
  var box = document.getElementById("upload-progress");
  var bar = document.getElementById("upload-bar");
  var percent = document.getElementById("upload-percent");
  var bytes = document.getElementById("upload-bytes");
  var result = document.getElementById("upload-result");
  var maxBytes = parseInt(area.dataset.maxBytes, 10);

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function mib(value) { return (value / 1048576).toFixed(1) + " MiB"; }

  function show(message, ok) {
    result.textContent = message;
    result.className = ok ? "badge badge-ok" : "badge badge-bad";
  }

  function send(file) {
    if (file.size > maxBytes) {
      show(file.name + " is " + mib(file.size) + ", over the " + mib(maxBytes) + " limit.", false);
      return;
    }
    var form = new FormData();
    form.append("file", file, file.name);
    var request = new XMLHttpRequest();
    request.open("POST", area.dataset.url);
    request.setRequestHeader("X-CSRFToken", csrfToken());
    box.hidden = false;
    bar.value = 0;
    result.textContent = "";
    request.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) { return; }
      var done = Math.round((100 * event.loaded) / event.total);
      bar.value = done;
      percent.textContent = done + "%";
      bytes.textContent = mib(event.loaded) + " of " + mib(event.total);
    });
    request.addEventListener("load", function () {
      var answer = {};
      try { answer = JSON.parse(request.responseText); } catch (error) { answer = {}; }
      if (request.status === 200 || request.status === 201) {
        bar.value = 100;
        percent.textContent = "100%";
        show((answer.duplicate ? "Already uploaded: " : "Uploaded: ") + answer.package, true);
        window.location.assign(answer.url);
      } else {
        show("Refused (" + (answer.code || request.status) + "): " + (answer.detail || ""), false);
      }
    });
    request.addEventListener("error", function () {
      show("The upload was interrupted; check the connection and try again.", false);
    });
    request.send(form);
  }

  ["dragenter", "dragover"].forEach(function (name) {
    area.addEventListener(name, function (event) {
      event.preventDefault();
      area.classList.add("dragging");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    area.addEventListener(name, function (event) {
      event.preventDefault();
      area.classList.remove("dragging");
    });
  });
  area.addEventListener("drop", function (event) {
    if (event.dataTransfer.files.length) { send(event.dataTransfer.files[0]); }
  });
  input.addEventListener("change", function () {
    if (input.files.length) { send(input.files[0]); }
  });
  area.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === " ") { input.click(); }
  });
})();
