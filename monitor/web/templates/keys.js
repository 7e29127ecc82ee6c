// j / k: the next / previous item of the page's list (stories, results, articles, feeds);
// Enter or o: open its first link. The only script monitor serves (the CSP allows no other).
(function () {
  "use strict";
  var ITEMS = "li.story, li.article, table.feeds tbody tr";
  var current = -1;
  function items() {
    return Array.prototype.filter.call(document.querySelectorAll(ITEMS), function (e) {
      return e.offsetParent !== null;  // not inside a closed <details>
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName))) return;
    var list = items();
    if (!list.length) return;
    if (event.key === "j" || event.key === "k") {
      var old = list[current];
      if (old) old.classList.remove("current");
      current = event.key === "j" ? Math.min(current + 1, list.length - 1) : Math.max(current - 1, 0);
      list[current].classList.add("current");
      list[current].scrollIntoView({block: "nearest"});
      event.preventDefault();
    } else if ((event.key === "Enter" || event.key === "o") && list[current]) {
      var link = list[current].querySelector("a[href]");
      if (link) { link.click(); event.preventDefault(); }
    }
  });
})();
