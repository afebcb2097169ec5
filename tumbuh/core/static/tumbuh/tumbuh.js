// Tumbuh's own small behaviours. The Content-Security-Policy allows no inline script or on…=
// handler, so a page asks for one with a data attribute instead.
document.addEventListener("DOMContentLoaded", function () {
  // On a phone the menu starts folded.
  if (window.matchMedia("(max-width: 760px)").matches) {
    var menu = document.querySelector(".sidebar details");
    if (menu) menu.removeAttribute("open");
  }
});
// <select data-autosubmit>: choosing sends its form.
document.addEventListener("change", function (event) {
  var field = event.target.closest && event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});
// <button data-print>: prints the page.
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});
