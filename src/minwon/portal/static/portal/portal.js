// Keyboard-first portal: "/" anywhere (outside a text field) jumps to the search box.
document.addEventListener("keydown", function (event) {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  var target = event.target;
  var tag = target && target.tagName;
  if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
  var box = document.getElementById("portal-q");
  if (!box) return;
  event.preventDefault();
  box.focus();
  box.select();
});
