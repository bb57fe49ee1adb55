// Sends the import form with the CSRF token as a header, so that the server can stream a file
// larger than the body limit of ordinary forms (a whole exported knowledge base is ~300 KB).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("kb-import");
  if (!form) { return; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var token = form.querySelector("input[name=csrf_token]").value;
    // The answer is a redirect to the list, which shows the outcome once: do not let fetch read it.
    fetch(form.action, { method: "POST", body: new FormData(form), headers: { "X-CSRF-Token": token },
                         credentials: "same-origin", redirect: "manual" })
      .then(function () { window.location.href = "/admin/kb"; });
  });
});
