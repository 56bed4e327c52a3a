// Keeps each Markdown field's preview up to date as one types. The server renders and
// sanitises the text exactly as the public pages do; without this script the preview shows
// the text as last sent. Loaded as a file: the Content Security Policy allows no inline script.
(function () {
  "use strict";

  function csrfToken(field) {
    var input = field.form && field.form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function refresh(field, target) {
    var body = new FormData();
    body.append("text", field.value);
    fetch(field.dataset.markdownPreview, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": csrfToken(field) },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null) {
          target.innerHTML = html; // sanitised by the server (treatments/markdown.py)
        }
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-markdown-preview]").forEach(function (field) {
      var target = document.getElementById(field.id + "-preview");
      var timer = null;
      if (!target) {
        return;
      }
      field.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          refresh(field, target);
        }, 400);
      });
    });
  });
})();
