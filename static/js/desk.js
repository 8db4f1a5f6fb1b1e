// Keyboard shortcuts for the review page: j/k move, a accept, x reject, e edit, u undo, A accept in
// every article (preview first), ? help.
// Every action clicks a real form button, so what the keys do is exactly what the buttons do
// (and htmx, which tracks the clicked button, sends its name and value). A long text is shown in
// parts: j past the last card opens the next part, k before the first opens the previous one
// at its last card. Notices and groups of identical suggestions come first in the list; a group's
// card answers for the marks of all its occurrences.
(function () {
  "use strict";

  let current = 0;
  let busy = false;

  function cards() {
    return Array.from(document.querySelectorAll("#review [data-suggestion-id]"));
  }

  function select(index, scroll, keepFocus) {
    const list = cards();
    document.querySelectorAll(".is-current").forEach(function (el) { el.classList.remove("is-current"); });
    if (!list.length) { current = 0; return null; }
    current = Math.max(0, Math.min(index, list.length - 1));
    const card = list[current];
    card.classList.add("is-current");
    const mark = document.getElementById("m-" + (card.dataset.mark || card.dataset.suggestionId));
    if (mark) { mark.classList.add("is-current"); }
    if (scroll) {
      card.scrollIntoView({ block: "nearest" });
      if (mark) { mark.scrollIntoView({ block: "nearest" }); }
    }
    // Never take focus from a control being clicked: htmx reads the clicked button on submit.
    if (!keepFocus) { card.focus({ preventScroll: true }); }
    return card;
  }

  function selected() {
    return document.querySelector("#review [data-suggestion-id].is-current") || select(current, true);
  }

  function press(card, action) {
    const button = card && card.querySelector('form.decide button[value="' + action + '"]');
    if (button) { button.click(); }
  }

  // Past either end of the list, go to the next or previous part of a long text, if any.
  function move(step) {
    const list = cards();
    const target = current + step;
    if (target >= list.length || target < 0) {
      const link = document.querySelector(step > 0 ? "#review [data-next-section]" : "#review [data-prev-section]");
      if (link) { window.location.assign(link.href + (step > 0 ? "" : "#last")); return; }
    }
    select(target, true);
  }

  function cardFor(id) {
    return document.querySelector('#review [data-suggestion-id="' + id + '"]') ||
      document.querySelector('#review [data-members~="' + id + '"]');
  }

  function toggleHelp() {
    const help = document.getElementById("help");
    if (!help) { return; }
    if (help.open) { help.close(); } else { help.showModal(); }
  }

  document.addEventListener("keydown", function (ev) {
    const target = ev.target;
    if (target.matches && target.matches("textarea[name=replacement]") && ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      press(target.closest("[data-suggestion-id]"), "edit");
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    if (target.matches && target.matches("input, textarea, select, [contenteditable]")) {
      if (ev.key === "Escape") { target.blur(); }
      return;
    }
    if (ev.key === "?") { toggleHelp(); ev.preventDefault(); return; }
    if (!document.getElementById("review")) { queueKeys(ev); return; }
    if (busy) { return; }
    switch (ev.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "a": press(selected(), "accept"); break;
      case "x": press(selected(), "reject"); break;
      case "A": {
        // Shift+a: the same change in every article that has it pending (a preview page first).
        const card = selected();
        const link = card && card.querySelector("a.everywhere");
        if (link) { link.click(); }
        break;
      }
      case "e": {
        const card = selected();
        const details = card && card.querySelector("details.edit");
        if (!details) { return; }
        details.open = true;
        const area = details.querySelector("textarea");
        area.focus();
        area.select();
        break;
      }
      case "u": {
        const undo = document.querySelector("#undo-form button");
        if (undo) { undo.click(); }
        break;
      }
      default: return;
    }
    ev.preventDefault();
  });

  // The queue: j/k move through the rows, Enter opens the selected article.
  let row = -1;
  function queueKeys(ev) {
    const rows = Array.from(document.querySelectorAll("tr[data-row]"));
    if (!rows.length) { return; }
    if (ev.key === "j" || ev.key === "k") {
      row = Math.max(0, Math.min(row + (ev.key === "j" ? 1 : -1), rows.length - 1));
      rows.forEach(function (r) { r.classList.remove("is-current"); });
      rows[row].classList.add("is-current");
      rows[row].querySelector("td.title a").focus();
      ev.preventDefault();
    }
  }

  document.addEventListener("click", function (ev) {
    const target = ev.target;
    if (!target.closest) { return; }
    if (target.closest("[data-help]")) { toggleHelp(); return; }
    if (target.closest("[data-close-help]")) { document.getElementById("help").close(); return; }
    const mark = target.closest(".mark[data-for]");
    const card = mark ? cardFor(mark.dataset.for) : target.closest("[data-suggestion-id]");
    if (card) {
      const index = cards().indexOf(card);
      if (index >= 0 && index !== current) {
        select(index, Boolean(mark), Boolean(target.closest("button, a, input, textarea, select, summary")));
      }
    }
  });

  document.addEventListener("htmx:beforeRequest", function () { busy = true; });
  document.addEventListener("htmx:afterRequest", function () { busy = false; });
  // After a decision the list is re-rendered: stay at the same position, which is now the next one.
  document.addEventListener("htmx:afterSettle", function () {
    if (document.getElementById("review")) { select(current, true); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    if (document.getElementById("review")) {
      select(window.location.hash === "#last" ? cards().length - 1 : 0, window.location.hash === "#last");
    }
  });
}());
