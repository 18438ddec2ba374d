/* Casebook: the Collaborative Providers Index self-assessment.
 *
 * Answers live in localStorage on this device and are never sent anywhere. Export and
 * import use CSV (principle, rating, note) so a team can share a file by its own means.
 * Without this script the page is a printable questionnaire.
 */
(function () {
  "use strict";

  var root = document.getElementById("cb-assessment");
  if (!root) return;
  var KEY = "casebook:self-assessment:v1";
  var RATINGS = ["not-started", "emerging", "established", "embedded"];
  var status = document.getElementById("cb-assessment-status");
  var items = Array.prototype.map.call(root.querySelectorAll("fieldset[data-principle]"),
    function (fieldset) {
      var slug = fieldset.getAttribute("data-principle");
      return {
        slug: slug,
        label: fieldset.getAttribute("data-label"),
        category: fieldset.getAttribute("data-category"),
        fieldset: fieldset,
        note: document.getElementById("note-" + slug)
      };
    });
  var bySlug = {};
  items.forEach(function (item) { bySlug[item.slug] = item; });

  function say(message) { status.textContent = message; }

  function read() {
    var answers = {};
    items.forEach(function (item) {
      var checked = item.fieldset.querySelector("input:checked");
      var rating = checked ? checked.value : "";
      var note = item.note.value;
      if (rating || note) answers[item.slug] = { rating: rating, note: note };
    });
    return answers;
  }

  function write(answers) {
    items.forEach(function (item) {
      var answer = answers[item.slug] || { rating: "", note: "" };
      Array.prototype.forEach.call(item.fieldset.querySelectorAll("input"), function (input) {
        input.checked = input.value === answer.rating;
      });
      item.note.value = answer.note || "";
    });
  }

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(KEY) || "{}") || {};
    } catch (error) {
      return {};
    }
  }

  function save() {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(read()));
      say("Saved in this browser.");
    } catch (error) {
      say("This browser will not save answers (private browsing?). Export them as CSV.");
    }
  }

  function csvField(value) {
    var text = String(value);
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function toCsv(answers) {
    var rows = [["category", "principle", "principle_slug", "rating", "note"]];
    items.forEach(function (item) {
      var answer = answers[item.slug] || { rating: "", note: "" };
      rows.push([item.category, item.label, item.slug, answer.rating, answer.note]);
    });
    return rows.map(function (row) { return row.map(csvField).join(","); }).join("\r\n") + "\r\n";
  }

  /* RFC 4180 fields: quotes, doubled quotes, commas and line breaks inside quotes. */
  function parseCsv(text) {
    var rows = [], row = [], field = "", quoted = false;
    for (var i = 0; i < text.length; i += 1) {
      var c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') { field += '"'; i += 1; }
        else if (c === '"') quoted = false;
        else field += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") { row.push(field); field = ""; }
      else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i += 1;
        row.push(field); rows.push(row); row = []; field = "";
      } else field += c;
    }
    if (field || row.length) { row.push(field); rows.push(row); }
    return rows;
  }

  function fromCsv(text) {
    var rows = parseCsv(text.replace(/^\ufeff/, ""));
    var header = rows.shift() || [];
    var slugAt = header.indexOf("principle_slug");
    var ratingAt = header.indexOf("rating");
    var noteAt = header.indexOf("note");
    if (slugAt < 0 || ratingAt < 0) throw new Error("the file has no principle_slug and rating columns");
    var answers = {}, skipped = 0;
    rows.forEach(function (row) {
      if (row.length === 1 && row[0] === "") return;
      var slug = row[slugAt], rating = row[ratingAt] || "";
      if (!bySlug[slug] || (rating && RATINGS.indexOf(rating) < 0)) { skipped += 1; return; }
      answers[slug] = { rating: rating, note: noteAt >= 0 ? row[noteAt] || "" : "" };
    });
    return { answers: answers, skipped: skipped };
  }

  document.getElementById("cb-assessment-tools").hidden = false;
  write(load());
  root.addEventListener("change", function (event) {
    if (event.target.type === "radio") save();
  });
  root.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA") save();
  });
  document.getElementById("cb-export").addEventListener("click", function () {
    var blob = new Blob([toCsv(read())], { type: "text/csv;charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "collaborative-providers-index-self-assessment.csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
    say("Exported your answers as a CSV file.");
  });
  document.getElementById("cb-import").addEventListener("change", function (event) {
    var file = event.target.files[0];
    if (!file) return;
    file.text().then(function (text) {
      var result = fromCsv(text);
      write(result.answers);
      save();
      var count = Object.keys(result.answers).length;
      say("Imported " + count + " answer" + (count === 1 ? "" : "s") +
          (result.skipped ? "; skipped " + result.skipped + " row(s) this page does not know." : "."));
    }).catch(function (error) {
      say("Could not import that file: " + error.message + ".");
    });
    event.target.value = "";
  });
  document.getElementById("cb-print").addEventListener("click", function () { window.print(); });
  document.getElementById("cb-clear-answers").addEventListener("click", function () {
    if (!window.confirm("Clear every rating and note on this page?")) return;
    write({});
    try { window.localStorage.removeItem(KEY); } catch (error) { /* nothing stored */ }
    say("All answers cleared.");
  });
})();
