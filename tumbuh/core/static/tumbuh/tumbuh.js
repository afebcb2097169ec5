// Tumbuh's only script of its own: on a phone the menu starts folded.
document.addEventListener("DOMContentLoaded", function () {
  if (window.matchMedia("(max-width: 760px)").matches) {
    var menu = document.querySelector(".sidebar details");
    if (menu) menu.removeAttribute("open");
  }
});
