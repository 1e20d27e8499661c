/* Images from the post editor: upload (or drop a file on the body), pick existing images
 * with a search, and insert them at the cursor: one as [image id="N"], several as
 * [gallery ids="N,M"]. Alt text is required to upload and is stored with the image, with
 * its caption, so the shortcode shows both. The server validates every upload with the
 * same Pillow pipeline as the image admin. The live preview renders what is inserted.
 * No inline script (CSP script-src 'self'); the endpoints are the textarea's data-* URLs.
 */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart, end = textarea.selectionEnd, value = textarea.value;
    var before = value.slice(0, start), after = value.slice(end);
    var block = (before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "") + text + "\n\n";
    textarea.value = before + block + after.replace(/^\n+/, "");
    var cursor = (before + block).length;
    textarea.setSelectionRange(cursor, cursor);
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));  // preview and autosave follow
  }

  function setup(textarea) {
    var listUrl = textarea.getAttribute("data-images-url");
    var uploadUrl = textarea.getAttribute("data-upload-url");
    var bar = el("div", { "class": "editor-media-bar" });
    var open = el("button", { type: "button", "class": "editor-add-image", "aria-expanded": "false" }, "Add images");
    bar.appendChild(open);
    var panel = el("div", { "class": "editor-media-panel", hidden: "" });
    panel.setAttribute("role", "group");
    panel.setAttribute("aria-label", "Images");

    var upload = el("fieldset", { "class": "editor-upload" });
    upload.appendChild(el("legend", {}, "Upload an image"));
    var file = el("input", { type: "file", accept: "image/jpeg,image/png,image/gif,image/webp", id: "editor-image-file" });
    var alt = el("input", { type: "text", id: "editor-image-alt", maxlength: "300" });
    var caption = el("input", { type: "text", id: "editor-image-caption", maxlength: "500" });
    var send = el("button", { type: "button", "class": "editor-upload-button" }, "Upload");
    [[file, "Image file"], [alt, "Alt text (required: what the image shows)"], [caption, "Caption (optional)"]]
      .forEach(function (pair) {
        var p = el("p");
        p.appendChild(el("label", { "for": pair[0].id }, pair[1]));
        p.appendChild(pair[0]);
        upload.appendChild(p);
      });
    upload.appendChild(send);

    var pick = el("fieldset", { "class": "editor-picker" });
    pick.appendChild(el("legend", {}, "Your images"));
    var search = el("input", { type: "search", id: "editor-image-search", placeholder: "Search alt text and captions" });
    pick.appendChild(el("label", { "for": "editor-image-search", "class": "screen-reader-text" }, "Search images"));
    pick.appendChild(search);
    var grid = el("ul", { "class": "editor-image-grid" });
    pick.appendChild(grid);
    var insert = el("button", { type: "button", "class": "editor-insert", disabled: "" }, "Insert at the cursor");
    pick.appendChild(insert);

    var status = el("p", { "class": "editor-media-status", role: "status", "aria-live": "polite" });
    panel.appendChild(upload);
    panel.appendChild(pick);
    panel.appendChild(status);
    var anchor = textarea.closest(".markdown-editor") || textarea;
    anchor.parentNode.insertBefore(bar, anchor);
    anchor.parentNode.insertBefore(panel, anchor);

    function chosen() {
      return Array.prototype.map.call(grid.querySelectorAll("input:checked"), function (c) { return c.value; });
    }

    function render(images, select) {
      grid.textContent = "";
      images.forEach(function (image) {
        var li = el("li", { "class": "editor-image", "data-image-id": String(image.id) });
        var label = el("label");
        var box = el("input", { type: "checkbox", value: String(image.id) });
        if (select && select.indexOf(image.id) !== -1) { box.checked = true; }
        var img = el("img", { src: image.url, alt: image.alt, loading: "lazy", width: "96", height: "72" });
        label.appendChild(box);
        label.appendChild(img);
        label.appendChild(el("span", {}, image.caption || image.alt));
        li.appendChild(label);
        grid.appendChild(li);
      });
      insert.disabled = chosen().length === 0;
    }

    function load(select) {
      var url = listUrl + (search.value ? "?q=" + encodeURIComponent(search.value) : "");
      return fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (payload) { render(payload.images || [], select); })
        .catch(function () { status.textContent = "The images could not be loaded."; });
    }

    function toggle(show) {
      panel.hidden = !show;
      open.setAttribute("aria-expanded", show ? "true" : "false");
      if (show) { load(); }
    }

    open.addEventListener("click", function () { toggle(panel.hidden); });
    var timer = null;
    search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(load, 250); });
    grid.addEventListener("change", function () { insert.disabled = chosen().length === 0; });

    send.addEventListener("click", function () {
      if (!file.files.length) { status.textContent = "Choose an image file."; return; }
      if (!alt.value.trim()) { status.textContent = "Describe the image (alt text) first."; alt.focus(); return; }
      var data = new FormData();
      data.append("file", file.files[0]);
      data.append("alt", alt.value);
      data.append("caption", caption.value);
      status.textContent = "Uploading…";
      fetch(uploadUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea.form) }
      })
        .then(function (r) { return r.json().then(function (payload) { return { ok: r.ok, payload: payload }; }); })
        .then(function (result) {
          if (!result.ok) { status.textContent = result.payload.error || "The upload failed."; return; }
          status.textContent = "Uploaded “" + result.payload.alt + "”: selected below.";
          file.value = ""; alt.value = ""; caption.value = ""; search.value = "";
          load([result.payload.id]);
        })
        .catch(function () { status.textContent = "The upload failed; try again."; });
    });

    insert.addEventListener("click", function () {
      var ids = chosen();
      if (!ids.length) { return; }
      insertAtCursor(textarea, ids.length === 1 ? '[image id="' + ids[0] + '"]' : '[gallery ids="' + ids.join(",") + '"]');
      status.textContent = ids.length === 1 ? "Image inserted." : "Gallery of " + ids.length + " images inserted.";
      Array.prototype.forEach.call(grid.querySelectorAll("input:checked"), function (c) { c.checked = false; });
      insert.disabled = true;
    });

    // A file dropped on the body: ready to upload once it has its alt text.
    textarea.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1) {
        event.preventDefault();
      }
    });
    textarea.addEventListener("drop", function (event) {
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) { return; }
      event.preventDefault();
      toggle(true);
      var transfer = new DataTransfer();
      transfer.items.add(files[0]);
      file.files = transfer.files;
      status.textContent = "“" + files[0].name + "” is ready: describe it (alt text), then Upload.";
      alt.focus();
    });
  }

  function init() {
    var areas = document.querySelectorAll("textarea[data-upload-url]");
    for (var i = 0; i < areas.length; i++) { setup(areas[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
