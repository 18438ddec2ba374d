/* Casebook: the Collaborative Providers Index self-assessment.
 *
 * Assessments (a team, a date, a rating and a note per principle) live in localStorage on
 * this device and are never sent anywhere. Several can be kept and compared. Import never
 * loses an answer: it shows what it would change, merges or replaces, and can be undone.
 * The ratings, principles and categories are read from the page, which the build makes
 * from taxonomy.yml; the reading list's case studies come from a static JSON file.
 * Without this script the page is a printable questionnaire.
 */
(function () {
  "use strict";

  var root = document.getElementById("cb-assessment");
  if (!root) return;
  var KEY = "casebook:self-assessment:v2";
  var OLD_KEY = "casebook:self-assessment:v1"; // one set of answers, {slug: {rating, note}}
  var READING_PRINCIPLES = 3;
  var READING_CASES = 3;

  function $(id) { return document.getElementById(id); }
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* -- what the page holds: ratings, principles, categories ------------------------------ */

  var ratings = Array.prototype.map.call(root.querySelectorAll("#cb-ratings [data-rating]"),
    function (entry) {
      return {
        value: entry.getAttribute("data-rating"),
        label: entry.querySelector("dt").textContent.trim(),
        definition: entry.querySelector("dd").textContent.trim()
      };
    });
  var ratingByKey = {}, rank = {};
  ratings.forEach(function (rating, index) {
    rank[rating.value] = index;
    ratingByKey[key(rating.value)] = rating;
    ratingByKey[key(rating.label)] = rating;
  });
  var ratingNames = ratings.map(function (r) { return r.label; });
  var ratingList = ratingNames.slice(0, -1).join(", ") + " or " +
    ratingNames[ratingNames.length - 1];

  var items = Array.prototype.map.call(root.querySelectorAll("fieldset[data-principle]"),
    function (fieldset) {
      var slug = fieldset.getAttribute("data-principle");
      var principle = fieldset.closest(".cb-principle") || root;
      return {
        slug: slug,
        label: fieldset.getAttribute("data-label"),
        category: fieldset.getAttribute("data-category"),
        fieldset: fieldset,
        note: $("note-" + slug),
        // For the reading list when its data file cannot be loaded (a page opened from disk).
        page: principle.querySelector("h3 a[href]"),
        cases: principle.querySelectorAll(".cb-principle__cases a[href]")
      };
    });
  var bySlug = {}, byLabel = {};
  items.forEach(function (item) {
    bySlug[item.slug] = item;
    byLabel[key(item.label)] = item;
  });

  /* "Not started", "not_started" and "NOT-STARTED" are one key. */
  function key(text) { return String(text).trim().toLowerCase().replace(/[\s_]+/g, "-"); }

  /* -- messages --------------------------------------------------------------------------- */

  var status = $("cb-assessment-status");
  function say(message) { status.textContent = message; }

  /* A lasting, visible notice about storage: what happened and what to do. */
  function notice(message, download) {
    var box = $("cb-assessment-notice");
    box.textContent = "";
    box.appendChild(element("p", "", message));
    if (download) {
      var button = element("button", "md-button", "Download the unreadable data");
      button.type = "button";
      button.addEventListener("click", function () {
        saveFile(download, "self-assessment-unreadable.txt", "text/plain;charset=utf-8");
      });
      box.appendChild(button);
    }
    box.hidden = false;
  }

  /* -- storage ---------------------------------------------------------------------------- */

  var storageWorks = true;

  function today() {
    var now = new Date();
    return [now.getFullYear(), pad(now.getMonth() + 1), pad(now.getDate())].join("-");
  }
  function pad(number) { return (number < 10 ? "0" : "") + number; }
  function newId() {
    return "a" + Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
  }
  function blank(team, date, answers) {
    return { id: newId(), team: team || "", date: date || "", answers: answers || {} };
  }
  function fresh() {
    var first = blank("", today());
    return { version: 2, current: first.id, assessments: [first], undo: null };
  }

  function cleanAnswers(value) {
    if (!value || typeof value !== "object" || Array.isArray(value)) return null;
    var answers = {};
    Object.keys(value).forEach(function (slug) {
      var answer = value[slug] || {};
      var rating = typeof answer.rating === "string" && answer.rating in rank ? answer.rating : "";
      var note = typeof answer.note === "string" ? answer.note : "";
      // Kept even for a principle this page no longer shows: taxonomy.yml may bring it back.
      if (rating || note) answers[slug] = { rating: rating, note: note };
    });
    return answers;
  }

  /* A stored state, checked; null if it is not one. */
  function parseState(raw) {
    var data;
    try { data = JSON.parse(raw); } catch (error) { return null; }
    if (!data || data.version !== 2 || !Array.isArray(data.assessments)) return null;
    if (!data.assessments.length) return null;
    var assessments = [];
    for (var i = 0; i < data.assessments.length; i += 1) {
      var a = data.assessments[i] || {};
      var answers = cleanAnswers(a.answers);
      if (typeof a.id !== "string" || !answers) return null;
      assessments.push({
        id: a.id,
        team: typeof a.team === "string" ? a.team : "",
        date: /^\d{4}-\d{2}-\d{2}$/.test(a.date) ? a.date : "",
        answers: answers
      });
    }
    var undo = data.undo && typeof data.undo.label === "string" && data.undo.state ?
      data.undo : null;
    return { version: 2, current: data.current, assessments: assessments, undo: undo };
  }

  function load() {
    var raw, old = null;
    try {
      raw = window.localStorage.getItem(KEY);
      if (raw === null) old = window.localStorage.getItem(OLD_KEY);
    } catch (error) {
      storageWorks = false;
      notice("This browser will not keep your answers (its storage is turned off, as in " +
        "private browsing). They last while this page is open: export a CSV before you leave.");
      return fresh();
    }
    if (raw !== null) {
      var state = parseState(raw);
      if (state) return state;
      return unreadable(raw);
    }
    if (old !== null) {
      // Answers saved by the earlier, single-assessment page become the first assessment.
      var answers = null;
      try { answers = cleanAnswers(JSON.parse(old)); } catch (error) { answers = null; }
      if (!answers) return unreadable(old);
      var first = blank("", "", answers);
      var migrated = { version: 2, current: first.id, assessments: [first], undo: null };
      write(migrated);
      return migrated;
    }
    return fresh();
  }

  /* Stored data that cannot be read is kept aside, never written over, and offered back. */
  function unreadable(raw) {
    try {
      window.localStorage.setItem(KEY + ":unreadable:" + Date.now(), raw);
    } catch (error) {
      storageWorks = false; // nowhere to keep it: then do not write over it either
    }
    notice("The answers saved in this browser could not be read, so this page starts " +
      "afresh. The unreadable data is kept" + (storageWorks ? " in this browser" : "") +
      ": download it to send to whoever can recover it." +
      (storageWorks ? "" : " Answers you give now are not saved: export a CSV before you leave."),
      raw);
    return fresh();
  }

  function write(value) {
    if (!storageWorks) return false;
    try {
      window.localStorage.setItem(KEY, JSON.stringify(value));
      if (full) { full = false; $("cb-assessment-notice").hidden = true; }
      return true;
    } catch (error) {
      full = true;
      notice("This browser's storage is full, so your latest changes are not saved. They " +
        "last while this page is open: export a CSV to keep them.");
      return false;
    }
  }
  var full = false;

  var state = load();
  function current() {
    for (var i = 0; i < state.assessments.length; i += 1) {
      if (state.assessments[i].id === state.current) return state.assessments[i];
    }
    state.current = state.assessments[0].id;
    return state.assessments[0];
  }

  /* One level of undo: the whole state before an import, a clear or a delete. */
  function keepForUndo(label) {
    state.undo = null;
    state.undo = { label: label, state: JSON.parse(JSON.stringify(state)) };
  }
  function changed() {
    state.undo = null;
    return write(state);
  }

  /* -- names and dates -------------------------------------------------------------------- */

  function formatDate(iso) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return "";
    return new Date(iso + "T00:00:00Z").toLocaleDateString("en-GB",
      { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  }
  function title(assessment) {
    return (assessment.team.trim() || "Unnamed team") + ", " +
      (assessment.date ? formatDate(assessment.date) : "no date");
  }
  function fileName(assessment, extension) {
    var team = assessment.team.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
    return ["self-assessment", team, assessment.date].filter(Boolean).join("-") + "." + extension;
  }

  /* -- the form --------------------------------------------------------------------------- */

  function readItem(item) {
    var checked = item.fieldset.querySelector("input:checked");
    return { rating: checked ? checked.value : "", note: item.note.value };
  }

  function showAnswers(answers) {
    items.forEach(function (item) {
      var answer = answers[item.slug] || { rating: "", note: "" };
      each(item.fieldset.querySelectorAll("input"), function (input) {
        input.checked = input.value === answer.rating;
      });
      item.note.value = answer.note || "";
    });
  }

  function render() {
    var assessment = current();
    var select = $("cb-assessment-select");
    select.textContent = "";
    state.assessments.forEach(function (a) {
      var option = element("option", "", title(a));
      option.value = a.id;
      option.selected = a.id === assessment.id;
      select.appendChild(option);
    });
    $("cb-delete").disabled = state.assessments.length < 2;
    $("cb-team").value = assessment.team;
    $("cb-date").value = assessment.date;
    showAnswers(assessment.answers);
    var undo = $("cb-undo");
    undo.hidden = !state.undo;
    if (state.undo) undo.textContent = "Undo " + state.undo.label;
    renderSummary();
    renderCompare();
  }

  /* -- the summary and its reading list --------------------------------------------------- */

  var caseData = null; // data/self-assessment.json, once loaded

  function summary() {
    var assessment = current();
    var categories = [];
    items.forEach(function (item) {
      var last = categories[categories.length - 1];
      if (!last || last.label !== item.category) {
        last = { label: item.category, principles: [] };
        categories.push(last);
      }
      var answer = assessment.answers[item.slug] || { rating: "", note: "" };
      var rating = ratings[rank[answer.rating]];
      last.principles.push({
        slug: item.slug, label: item.label, rating: answer.rating,
        rating_label: rating ? rating.label : "", note: answer.note
      });
    });
    return {
      team: assessment.team, date: assessment.date, categories: categories,
      reading_list: readingList(assessment)
    };
  }

  /* The lowest-rated principles (ties in the page's order), short of the top rating. */
  function readingList(assessment) {
    var top = ratings.length - 1;
    var rated = items.filter(function (item) {
      var answer = assessment.answers[item.slug];
      return answer && answer.rating && rank[answer.rating] < top;
    });
    rated.sort(function (a, b) {
      return rank[assessment.answers[a.slug].rating] - rank[assessment.answers[b.slug].rating] ||
        items.indexOf(a) - items.indexOf(b);
    });
    return rated.slice(0, READING_PRINCIPLES).map(function (item) {
      var rating = ratings[rank[assessment.answers[item.slug].rating]];
      var known = caseData && caseData.principles && caseData.principles[item.slug];
      var cases, total, url;
      if (known) {
        cases = known.cases.slice(0, READING_CASES).map(function (c) {
          return {
            title: c.title, url: absolute(c.url), places: c.places || [], summary: c.summary
          };
        });
        total = known.total;
        url = absolute(known.url);
      } else { // no data file (opened from disk, say): the links on the page itself
        cases = Array.prototype.slice.call(item.cases, 0, READING_CASES).map(function (a) {
          return { title: a.textContent, url: a.href, places: [], summary: "" };
        });
        total = item.cases.length;
        url = item.page ? item.page.href : "";
      }
      return {
        slug: item.slug, label: item.label, rating: rating.value, rating_label: rating.label,
        url: url, total: total, cases: cases
      };
    });
  }

  function absolute(path) {
    return new URL((root.getAttribute("data-root") || "") + path, window.location.href).href;
  }

  function renderSummary() {
    var data = summary();
    var who = [data.team.trim() ? "Team: " + data.team.trim() : "No team name given",
      data.date ? "Date: " + formatDate(data.date) : "No date given"];
    $("cb-summary-who").textContent = who.join(". ") + ".";
    var answers = $("cb-summary-answers");
    answers.textContent = "";
    // One table, a group of rows per category: one header row for the whole summary.
    var table = element("table", "cb-summary-table");
    var head = table.createTHead().insertRow();
    ["Principle", "Rating", "Notes"].forEach(function (name) {
      var cell = element("th", "", name);
      cell.scope = "col";
      head.appendChild(cell);
    });
    data.categories.forEach(function (category) {
      var body = table.createTBody();
      if (category.label) {
        var group = element("th", "cb-summary-table__category", category.label);
        group.scope = "rowgroup";
        group.colSpan = 3;
        body.insertRow().appendChild(group);
      }
      category.principles.forEach(function (p) {
        var row = body.insertRow();
        var name = element("th", "", p.label);
        name.scope = "row";
        row.appendChild(name);
        row.appendChild(element("td", p.rating ? "" : "cb-summary-table__none",
          p.rating_label || "Not rated"));
        row.appendChild(element("td", "cb-summary-table__note", p.note));
      });
    });
    answers.appendChild(table);
    var list = $("cb-reading-list");
    list.textContent = "";
    if (!data.reading_list.length) {
      list.appendChild(element("p", "", "Rate the principles above: case studies for the " +
        READING_PRINCIPLES + " you rate lowest will be listed here, so you know whom to " +
        "learn from."));
      return;
    }
    list.appendChild(element("p", "", "Case studies for the principles you rated lowest:"));
    data.reading_list.forEach(function (entry) {
      list.appendChild(element("h4", "", entry.label + " (" + entry.rating_label + ")"));
      if (!entry.cases.length) {
        list.appendChild(element("p", "", "No case study shows this principle yet."));
        return;
      }
      var ul = element("ul", "cb-reading-list");
      entry.cases.forEach(function (c) {
        var li = element("li");
        var link = element("a", "", c.title);
        link.href = c.url;
        li.appendChild(link);
        if (c.places.length) li.appendChild(document.createTextNode(", " + c.places.join(", ")));
        if (c.summary) li.appendChild(element("span", "cb-reading-list__summary", c.summary));
        ul.appendChild(li);
      });
      list.appendChild(ul);
      if (entry.total > entry.cases.length && entry.url) {
        var more = element("p");
        var link = element("a", "", "All " + entry.total + " case studies on " + entry.label);
        link.href = entry.url;
        more.appendChild(link);
        list.appendChild(more);
      }
    });
  }

  /* -- comparing two assessments ---------------------------------------------------------- */

  function renderCompare() {
    var section = $("cb-compare");
    var others = state.assessments.filter(function (a) { return a.id !== state.current; });
    section.hidden = !others.length;
    if (!others.length) return;
    var select = $("cb-compare-with");
    var chosen = select.value;
    select.textContent = "";
    others.forEach(function (a) {
      var option = element("option", "", title(a));
      option.value = a.id;
      select.appendChild(option);
    });
    if (others.some(function (a) { return a.id === chosen; })) select.value = chosen;
    var other = others.filter(function (a) { return a.id === select.value; })[0];
    // Change runs from the earlier assessment to the later one.
    var pair = [other, current()];
    if ((other.date || "") > (current().date || "")) pair.reverse();
    var result = $("cb-compare-result");
    result.textContent = "";
    var table = element("table", "cb-compare-table");
    table.createCaption().textContent = "From " + title(pair[0]) + " to " + title(pair[1]);
    var head = table.createTHead().insertRow();
    var sameTeam = pair[0].team.trim() === pair[1].team.trim() && pair[0].date !== pair[1].date;
    var names = pair.map(function (a) {
      return sameTeam ? formatDate(a.date) || "No date" : title(a);
    });
    ["Principle", names[0], names[1], "Change"].forEach(function (name) {
      var cell = element("th", "", name);
      cell.scope = "col";
      head.appendChild(cell);
    });
    var body = table.createTBody(), tally = { Up: 0, Down: 0, Same: 0 };
    items.forEach(function (item) {
      var row = body.insertRow();
      var name = element("th", "", item.label);
      name.scope = "row";
      row.appendChild(name);
      var values = pair.map(function (a) { return (a.answers[item.slug] || {}).rating || ""; });
      values.forEach(function (value) {
        row.appendChild(element("td", "", value ? ratings[rank[value]].label : "Not rated"));
      });
      var change = "", mark = "";
      if (values[0] && values[1]) {
        var step = rank[values[1]] - rank[values[0]];
        change = step > 0 ? "Up" : step < 0 ? "Down" : "Same";
        mark = step > 0 ? "\u25b2" : step < 0 ? "\u25bc" : "=";
        tally[change] += 1;
      }
      var cell = element("td", change ? "cb-change cb-change--" + change.toLowerCase() : "");
      if (change) {
        var symbol = element("span", "cb-change__mark", mark);
        symbol.setAttribute("aria-hidden", "true");
        cell.appendChild(symbol);
        cell.appendChild(document.createTextNode(" " + change));
      } else {
        cell.textContent = "Not rated in both";
      }
      row.appendChild(cell);
    });
    result.appendChild(table);
    result.appendChild(element("p", "", "Up: " + tally.Up + ". Down: " + tally.Down +
      ". Same: " + tally.Same + "."));
  }

  /* -- CSV -------------------------------------------------------------------------------- */

  function csvField(value) {
    var text = String(value);
    return /[",;\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  /* Every principle on the page, answered or not, so the file doubles as a blank form;
     the ratings as people read them (import takes labels or values); a UTF-8 BOM so
     spreadsheet programs read accents right. */
  function toCsv(data) {
    var learn = {};
    data.reading_list.forEach(function (entry) {
      learn[entry.slug] = entry.cases.map(function (c) {
        return c.title + " <" + c.url + ">";
      }).join("; ");
    });
    var rows = [
      ["team", "date", "category", "principle", "principle_slug", "rating", "note", "learn_from"]
    ];
    data.categories.forEach(function (category) {
      category.principles.forEach(function (p) {
        rows.push([data.team, data.date, category.label, p.label, p.slug, p.rating_label, p.note,
          learn[p.slug] || ""]);
      });
    });
    var lines = rows.map(function (row) { return row.map(csvField).join(","); });
    return "\ufeff" + lines.join("\r\n") + "\r\n";
  }

  /* RFC 4180 records with the line each starts on: quotes, doubled quotes, separators and
     line breaks inside quotes. */
  function parseCsv(text, separator) {
    var records = [], row = [], field = "", quoted = false, line = 1, start = 1, quoteLine = 0;
    for (var i = 0; i < text.length; i += 1) {
      var c = text[i];
      if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) line += 1;
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') { field += '"'; i += 1; }
        else if (c === '"') quoted = false;
        else field += c;
      } else if (c === '"' && field === "") { quoted = true; quoteLine = line; }
      else if (c === separator) { row.push(field); field = ""; }
      else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") { i += 1; line += 1; }
        row.push(field); records.push({ line: start, fields: row });
        row = []; field = ""; start = line;
      } else field += c;
    }
    if (quoted) {
      throw new Error("line " + quoteLine + ": a quoted field starts there and never ends");
    }
    if (field || row.length) { row.push(field); records.push({ line: start, fields: row }); }
    return records;
  }

  var COLUMNS = {
    slug: ["principle_slug", "slug"], principle: ["principle"], rating: ["rating"],
    note: ["note", "notes"], team: ["team"], date: ["date"]
  };

  function columnsOf(header) {
    var names = header.map(function (name) { return key(name).replace(/-/g, "_"); });
    var at = {};
    Object.keys(COLUMNS).forEach(function (column) {
      at[column] = -1;
      COLUMNS[column].forEach(function (name) {
        if (at[column] < 0) at[column] = names.indexOf(name);
      });
    });
    return (at.slug >= 0 || at.principle >= 0) && (at.rating >= 0 || at.note >= 0) ? at : null;
  }

  /* What a file holds: answers by principle, and each row left out with its reason. Throws
     (changing nothing) if the file cannot be read as a whole. */
  function readCsv(text) {
    text = text.replace(/^\ufeff/, "");
    if (!text.trim()) throw new Error("the file is empty");
    var records = null, at = null;
    [",", ";", "\t"].some(function (separator) {
      var parsed = parseCsv(text, separator);
      at = parsed.length ? columnsOf(parsed[0].fields) : null;
      if (at) records = parsed;
      return at;
    });
    if (!records) {
      throw new Error("line 1 should name the columns: principle_slug (or principle), rating " +
        "and note, separated by commas or semicolons");
    }
    var answers = {}, skipped = [], empty = 0, seen = {}, team = "", date = "";
    records.slice(1).forEach(function (record) {
      var row = record.fields;
      function cell(column) { return at[column] >= 0 ? (row[at[column]] || "") : ""; }
      if (!row.join("").trim()) return;
      var named = cell("slug").trim() || cell("principle").trim();
      var item = bySlug[cell("slug").trim()] || byLabel[key(cell("principle"))] ||
        byLabel[key(cell("slug"))];
      if (!item) {
        skipped.push("line " + record.line + ": no principle called \u201c" + named +
          "\u201d on this page");
        return;
      }
      var given = cell("rating").trim();
      var rating = given ? ratingByKey[key(given)] : null;
      if (given && !rating) {
        skipped.push("line " + record.line + ": \u201c" + given + "\u201d is not a rating; use " +
          ratingList);
        return;
      }
      if (seen[item.slug]) {
        skipped.push("line " + record.line + ": " + item.label + " again (line " +
          seen[item.slug] + " is used)");
        return;
      }
      seen[item.slug] = record.line;
      var note = cell("note").replace(/\r\n?/g, "\n");
      if (!rating && !note.trim()) { empty += 1; return; }
      answers[item.slug] = { rating: rating ? rating.value : "", note: note };
      team = team || cell("team").trim();
      if (!date && /^\d{4}-\d{2}-\d{2}$/.test(cell("date").trim())) date = cell("date").trim();
    });
    return { answers: answers, skipped: skipped, empty: empty, team: team, date: date };
  }

  function same(a, b) {
    return (a.rating || "") === (b.rating || "") && (a.note || "") === (b.note || "");
  }

  /* The answers after merging: the file's rating and note where it gives them, ours where
     it gives none; principles the file does not name keep their answers. */
  function merged(ours, file) {
    var result = JSON.parse(JSON.stringify(ours));
    Object.keys(file).forEach(function (slug) {
      var old = ours[slug] || { rating: "", note: "" };
      result[slug] = { rating: file[slug].rating || old.rating, note: file[slug].note || old.note };
    });
    return result;
  }

  var pending = null; // the import waiting for merge, replace or cancel

  function plural(count, one, many) { return count + " " + (count === 1 ? one : many); }

  function previewImport(name, read) {
    var ours = current().answers, after = merged(ours, read.answers);
    var counts = { added: 0, changed: 0, unchanged: 0 };
    Object.keys(read.answers).forEach(function (slug) {
      if (!ours[slug]) counts.added += 1;
      else if (same(ours[slug], after[slug]) && same(ours[slug], read.answers[slug])) {
        counts.unchanged += 1;
      }
      else counts.changed += 1;
    });
    var untouched = Object.keys(ours).filter(function (slug) {
      return bySlug[slug] && !read.answers[slug];
    }).length;
    var total = Object.keys(read.answers).length;
    pending = { name: name, read: read };
    $("cb-import-title").textContent =
      "Import \u201c" + name + "\u201d into " + title(current()) + "?";
    var text = total ?
      "The file answers " + plural(total, "principle", "principles") + ": " + counts.added +
        " new, " + counts.changed + " changed, " + counts.unchanged + " unchanged." :
      "The file has no answer this page can use, so nothing will change.";
    if (read.empty) {
      text += " " + plural(read.empty, "row has", "rows have") + " no rating or note.";
    }
    if (read.skipped.length) {
      text += " " + plural(read.skipped.length, "row is", "rows are") + " skipped:";
    }
    $("cb-import-counts").textContent = text;
    var list = $("cb-import-skipped");
    list.textContent = "";
    list.hidden = !read.skipped.length;
    read.skipped.forEach(function (reason) { list.appendChild(element("li", "", reason)); });
    $("cb-import-choice").textContent = !total ? "" : (untouched ?
      "Merge keeps your answers to the " + plural(untouched, "principle", "principles") +
        " the file does not name, and your notes where the file has none; Replace clears them." :
      "Merge keeps your notes where the file has none; Replace takes the file as it is.") +
      " Either way you can undo the import.";
    $("cb-import-merge").hidden = $("cb-import-replace").hidden = !total;
    $("cb-import-preview").hidden = false;
    $("cb-import-title").focus();
  }

  function closePreview() {
    pending = null;
    $("cb-import-preview").hidden = true;
  }

  function applyImport(mode) {
    if (!pending) return;
    var read = pending.read, name = pending.name, assessment = current();
    keepForUndo("import");
    assessment.answers =
      mode === "replace" ? read.answers : merged(assessment.answers, read.answers);
    if (read.team && (mode === "replace" || !assessment.team)) assessment.team = read.team;
    if (read.date && (mode === "replace" || !assessment.date)) assessment.date = read.date;
    write(state);
    closePreview();
    render();
    say((mode === "replace" ? "Replaced your answers with " : "Merged ") +
      plural(Object.keys(read.answers).length, "answer", "answers") + " from \u201c" +
      name + "\u201d. Undo import puts them back as they were.");
    $("cb-undo").focus();
  }

  /* -- files out -------------------------------------------------------------------------- */

  function saveFile(content, name, type) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([content], { type: type }));
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 0);
  }

  function exportCsv() {
    saveFile(toCsv(summary()), fileName(current(), "csv"), "text/csv;charset=utf-8");
    say("Exported " + title(current()) + " as a CSV file.");
  }

  function exportJson() {
    var data = summary();
    var out = {
      format: "casebook-self-assessment", version: 1, team: data.team, date: data.date,
      exported: new Date().toISOString(), page: window.location.href.split("#")[0],
      ratings: ratings, categories: data.categories, reading_list: data.reading_list
    };
    saveFile(JSON.stringify(out, null, 2) + "\n", fileName(current(), "json"),
      "application/json;charset=utf-8");
    say("Downloaded the summary of " + title(current()) + " as JSON.");
  }

  /* -- wiring ----------------------------------------------------------------------------- */

  root.classList.add("cb-assessment--live");
  $("cb-assessment-tools").hidden = false;
  $("cb-summary").hidden = false;
  render();

  root.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type === "radio" && target.closest("fieldset[data-principle]")) answer(target);
  });
  root.addEventListener("input", function (event) {
    var target = event.target;
    if (target.tagName === "TEXTAREA" && target.closest(".cb-note")) answer(target);
  });
  function answer(control) {
    var item = bySlug[(control.name || "").replace(/^(rating|note)-/, "")];
    if (!item) return;
    var value = readItem(item), answers = current().answers;
    if (value.rating || value.note) answers[item.slug] = value;
    else delete answers[item.slug];
    if (changed()) say("Saved in this browser.");
    $("cb-undo").hidden = true;
    renderSummary();
    renderCompare();
  }

  $("cb-team").addEventListener("input", function (event) { details("team", event.target.value); });
  $("cb-date").addEventListener("change", function (event) {
    details("date", event.target.value);
  });
  function details(field, value) {
    current()[field] = value;
    changed();
    var option = $("cb-assessment-select").querySelector("option:checked");
    if (option) option.textContent = title(current());
    $("cb-undo").hidden = true;
    renderSummary();
    renderCompare();
  }

  $("cb-assessment-select").addEventListener("change", function (event) {
    state.current = event.target.value;
    write(state);
    closePreview();
    render();
    say("Showing " + title(current()) + ".");
  });
  $("cb-new").addEventListener("click", function () {
    var next = blank(current().team, today());
    state.assessments.push(next);
    state.current = next.id;
    changed();
    closePreview();
    render();
    say("Started a new assessment: " + title(next) + ". The others are kept; choose them above.");
    $("cb-team").focus();
  });
  $("cb-delete").addEventListener("click", function () {
    if (state.assessments.length < 2) return;
    var gone = current();
    if (!window.confirm("Delete the assessment " + title(gone) + "?")) return;
    keepForUndo("delete");
    state.assessments = state.assessments.filter(function (a) { return a.id !== gone.id; });
    state.current = state.assessments[0].id;
    write(state);
    render();
    say("Deleted " + title(gone) + ". Undo delete brings it back.");
  });
  $("cb-clear-answers").addEventListener("click", function () {
    if (!window.confirm("Clear every rating and note in " + title(current()) + "?")) return;
    keepForUndo("clear");
    current().answers = {};
    write(state);
    render();
    say("All answers cleared. Undo clear brings them back.");
  });
  $("cb-undo").addEventListener("click", function () {
    if (!state.undo) return;
    var label = state.undo.label;
    state = parseState(JSON.stringify(state.undo.state)) || state;
    state.undo = null;
    write(state);
    closePreview();
    render();
    say("Undone: the " + label + ". Your answers are as they were before it.");
  });

  $("cb-export").addEventListener("click", exportCsv);
  $("cb-summary-csv").addEventListener("click", exportCsv);
  $("cb-summary-json").addEventListener("click", exportJson);
  $("cb-print").addEventListener("click", function () { window.print(); });

  $("cb-import").addEventListener("change", function (event) {
    var file = event.target.files[0];
    event.target.value = "";
    if (!file) return;
    file.text().then(function (text) {
      var read = readCsv(text);
      previewImport(file.name, read);
      say("");
    }).catch(function (error) {
      closePreview();
      say("Could not import \u201c" + file.name + "\u201d, so nothing changed: " +
        error.message + ".");
    });
  });
  $("cb-compare-with").addEventListener("change", renderCompare);
  $("cb-import-merge").addEventListener("click", function () { applyImport("merge"); });
  $("cb-import-replace").addEventListener("click", function () { applyImport("replace"); });
  $("cb-import-cancel").addEventListener("click", function () {
    closePreview();
    say("Import cancelled; nothing changed.");
    $("cb-import").focus();
  });

  /* Another tab saved: show what it saved rather than write over it later. */
  window.addEventListener("storage", function (event) {
    if (event.key !== KEY || event.newValue === null) return;
    var next = parseState(event.newValue);
    if (!next) return;
    state = next;
    render();
    say("Updated with the changes made in another tab.");
  });

  /* The reading list's case studies: a small static file the build writes. */
  var source = root.getAttribute("data-src");
  if (source && window.fetch) {
    window.fetch(source).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (data) {
      caseData = data;
      renderSummary();
    }).catch(function () { /* the page's own links stand in */ });
  }
})();
