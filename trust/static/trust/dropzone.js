// Drag-and-drop for trust uploads: a file dropped on the zone fills its file input.
(function () {
  "use strict";

  function enhance(input) {
    const zone = document.createElement("div");
    zone.className = "dropzone";
    const hint = document.createElement("span");
    hint.textContent = "Drop the file here or choose it";
    const name = document.createElement("span");
    name.className = "dropzone-name";
    input.parentNode.insertBefore(zone, input);
    zone.append(hint, input, name);

    const show = () => { name.textContent = input.files.length ? input.files[0].name : ""; };
    input.addEventListener("change", show);
    ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.add("dragover");
    }));
    ["dragleave", "drop"].forEach((type) => zone.addEventListener(type, () => {
      zone.classList.remove("dragover");
    }));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        show();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("input[type=file][data-dropzone]").forEach(enhance);
  });
})();
