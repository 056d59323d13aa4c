// The workbook page (/werkmap): sends the upload form to the import API with the
// token as a bearer header (a plain form cannot), and shows the answer: what was
// loaded (whether the graph changed, its measurements graph with what it holds now
// and held before, counts per class, linked to their lists), or every problem with
// its sheet, row and column and a link to the thing its row describes. Text is set
// as text only (textContent, text nodes), so nothing in a workbook can become markup;
// links are only those of this site the API gives (paths starting with one "/").
// A download through the page says what the workbook does not hold (the export's
// warnings, from /api/export/excel/meldingen), before anyone edits it.
// The graph choice (?graaf=) sets the graph of the download and of the upload
// (graph= of both API routes). A token the browser cannot put in a header, an empty
// file and a file over the upload limit are named as such before anything is sent.
// A refused upload (400, 413) is told by what the API says is wrong (its reason and
// Dutch message), with the way to put it right on this page; the English detail only
// when the API gives nothing else.
"use strict";

(function () {
  const form = document.getElementById("werkmap-upload");
  if (!form) return;
  const busy = document.getElementById("werkmap-bezig");
  const result = document.getElementById("werkmap-resultaat");
  const heading = document.getElementById("werkmap-resultaat-kop");
  const message = document.getElementById("werkmap-melding");
  const table = document.getElementById("werkmap-problemen");
  const body = table.querySelector("tbody");
  const contents = document.getElementById("werkmap-inhoud");
  const classes = document.getElementById("werkmap-klassen");
  const measured = document.getElementById("werkmap-metingen");
  const choice = document.getElementById("werkmap-graaf");
  const exportLink = document.getElementById("werkmap-export");
  const exportNote = document.getElementById("werkmap-export-uitleg");
  const target = document.getElementById("werkmap-doel");
  const announcer = document.getElementById("werkmap-aankondiging");
  const left = document.getElementById("werkmap-export-meldingen");
  const leftSummary = document.getElementById("werkmap-export-samenvatting");
  const leftList = document.getElementById("werkmap-export-lijst");
  const exportBusy = document.getElementById("werkmap-export-bezig");
  let exporting = false; // a whole-registry export takes seconds: a second click waits for it

  // Text with a place to break the line after every "/": an IRI is one long word, which
  // on a phone would push the page sideways. Copied text is the same (<wbr> adds none).
  function setText(element, text) {
    element.replaceChildren();
    text.split("/").forEach(function (part, i) {
      if (i > 0) element.append("/", document.createElement("wbr"));
      element.append(part);
    });
  }

  function chosenGraph() {
    return choice ? choice.value : "";
  }

  // The download is the chosen graph and the upload replaces it; no choice: the whole
  // registry, and the graph named after the file (the texts the page is served with).
  function followChoice() {
    const graph = chosenGraph();
    const base = exportLink.dataset.exportUrl;
    exportLink.href = graph ? base + "?graph=" + encodeURIComponent(graph) : base;
    exportLink.textContent = graph ? "De gekozen graaf" : "Het huidige register";
    setText(exportNote, graph
      ? "graaf " + graph + " met zijn metingen, om te wijzigen en met dezelfde keuze weer in te laden"
      : "het hele register, om te wijzigen");
    setText(target, "Inladen in: " + (graph ? "graaf " + graph : target.dataset.byFileName));
    const query = graph ? "?graaf=" + encodeURIComponent(graph) : "";
    history.replaceState(null, "", location.pathname + query);
  }

  if (choice) {
    choice.addEventListener("change", followChoice);
    const pick = document.getElementById("werkmap-graaf-kies");
    if (pick) pick.hidden = true; // the choice takes effect as it changes
  }

  function show(kind, title, text, problems, counts, measurements) {
    result.hidden = false;
    heading.textContent = title;
    message.className = kind;
    setText(message, text);
    measured.hidden = !measurements;
    measured.className = measurements && measurements.alarm ? "error-box" : "";
    setText(measured, measurements ? measurements.text : "");
    classes.replaceChildren();
    contents.hidden = !counts || counts.length === 0;
    for (const count of counts || []) classes.appendChild(classItem(count));
    body.replaceChildren();
    table.hidden = !problems || problems.length === 0;
    for (const problem of problems || []) body.appendChild(problemRow(problem));
    // The answer gets the focus (the button that sent it is disabled while it waits, so
    // the focus fell to the page) and is announced by the region that is always there.
    announcer.textContent = "";
    announcer.textContent = title + ". " + text;
    heading.focus({ preventScroll: true });
    result.scrollIntoView({ block: "start" });
  }

  // A download through the link, then what the workbook does not hold, said beside it:
  // the export counts it in a header a browser does not show, and a user who edits the
  // workbook and loads it into the same graph is refused for it after the editing.
  // Without script (or a modified click: a new tab) the link downloads as it is.
  // While it runs the link says so, and a second click starts no second export (a link
  // cannot be disabled: aria-disabled tells assistive technology, the flag the handler).
  async function download(href) {
    exporting = true;
    exportLink.setAttribute("aria-disabled", "true");
    exportBusy.hidden = false;
    announcer.textContent = exportBusy.textContent;
    try {
      const saved = await fetchAndSave(href);
      if (saved && announcer.textContent === exportBusy.textContent) {
        announcer.textContent = "De werkmap is klaar en opgeslagen.";
      }
    } finally {
      exporting = false;
      exportLink.removeAttribute("aria-disabled");
      exportBusy.hidden = true;
    }
  }

  async function fetchAndSave(href) {
    left.hidden = true;
    let response;
    try {
      response = await fetch(href);
    } catch (_) {
      location.href = href;
      return false;
    }
    if (!response.ok) {
      location.href = href; // the service's own error page or answer
      return false;
    }
    const blob = await response.blob();
    const save = document.createElement("a");
    save.href = URL.createObjectURL(blob);
    save.download = savedName(response) || "krb-export.xlsx";
    document.body.appendChild(save);
    save.click();
    save.remove();
    setTimeout(function () { URL.revokeObjectURL(save.href); }, 60000);
    if (Number(response.headers.get("X-KRB-Export-Warnings") || "0") > 0) {
      await showLeftOut(href, response.headers.get("X-KRB-Export-Version"));
    }
    return true;
  }

  // The name the service gives the file (Content-Disposition), as a plain link would save it.
  function savedName(response) {
    const header = response.headers.get("Content-Disposition") || "";
    const found = /filename="([^"]+)"/.exec(header);
    return found ? found[1] : null;
  }

  // The list of the version downloaded (?versie=): after a write in between the service
  // says so (409) rather than describe a registry the workbook does not hold.
  async function showLeftOut(href, version) {
    const params = new URLSearchParams(href.indexOf("?") < 0 ? "" : href.slice(href.indexOf("?") + 1));
    if (version) params.set("versie", version);
    const query = params.toString();
    const url = exportLink.dataset.exportUrl + "/meldingen" + (query ? "?" + query : "");
    let payload = null;
    let changed = false;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      changed = response.status === 409;
      payload = response.ok ? await response.json() : null;
    } catch (_) {
      payload = null;
    }
    leftList.replaceChildren();
    // The graph of the download, not the one chosen now (the choice may have changed
    // while the workbook was made).
    const graph = params.get("graph") || "";
    if (payload && payload.total === 0) return; // changed since the download: nothing left out now
    // Shown before it is filled, and told by the status region that is always there: a
    // live region that appears with its text often is not announced.
    left.className = "error-box";
    left.hidden = false;
    if (changed) {
      setText(leftSummary, "Let op: niet alles past in deze werkmap, en het register is " +
        "gewijzigd sinds de download, dus wat er niet in staat is niet meer te zeggen. " +
        "Download de werkmap opnieuw.");
    } else if (!payload || !Array.isArray(payload.warnings)) {
      setText(leftSummary, "Let op: niet alles past in deze werkmap, maar de lijst van wat er niet in " +
        "staat kon niet worden opgehaald. krb export-excel op de opdrachtregel noemt het.");
    } else {
      setText(leftSummary, "Let op: de werkmap bevat niet alles van " +
        (graph ? "graaf " + graph : "het register") + ". " +
        count(payload.total, "soort gegevens past", "soorten gegevens passen") + " er niet in" +
        (graph ? "; laadt u de werkmap weer in deze graaf, dan weigert het register dat zolang " +
          "de graaf ze bevat, want ze zouden verloren gaan" : "") + ":");
      for (const warning of payload.warnings) {
        const li = document.createElement("li");
        setText(li, warning.message_nl || "");
        leftList.appendChild(li);
      }
    }
    announcer.textContent = leftSummary.textContent;
  }

  exportLink.addEventListener("click", function (event) {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (exporting) return;
    download(exportLink.href);
  });

  function cell(text, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    td.textContent = text === null || text === undefined ? "—" : String(text);
    return td;
  }

  // The API's message starts with the place ("beleidsnorm rij 2, kolom indicator: ");
  // the table has columns for that, so the row shows the rest.
  function withoutPlace(problem) {
    const text = problem.message_nl || "";
    if (problem.sheet && problem.row !== null && problem.row !== undefined) {
      let place = problem.sheet + " rij " + problem.row;
      if (problem.column) place += ", kolom " + problem.column;
      place += ": ";
      if (text.startsWith(place)) return text.slice(place.length);
    }
    return text;
  }

  function localLink(href, text) {
    if (typeof href !== "string" || !href.startsWith("/") || href.startsWith("//")) return null;
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function linkCell(problem) {
    const td = document.createElement("td");
    const a = localLink(problem.href, problem.link_text || "bekijk");
    if (a) td.appendChild(a);
    else td.textContent = "—";
    return td;
  }

  function classItem(count) {
    const li = document.createElement("li");
    const a = localLink(count.href, count.label);
    li.append(a || count.label, ": " + count.count);
    return li;
  }

  function problemRow(problem) {
    const tr = document.createElement("tr");
    tr.className = problem.severity === "waarschuwing" ? "waarschuwing" : "fout";
    tr.append(
      cell(problem.severity === "waarschuwing" ? "waarschuwing" : "fout"),
      cell(problem.sheet),
      cell(problem.row, "num"),
      cell(problem.column),
      cell(problem.value),
      cell(withoutPlace(problem), "melding"),
      linkCell(problem),
    );
    return tr;
  }

  function detailOf(payload) {
    return payload && typeof payload.detail === "string" ? " (" + payload.detail + ")" : "";
  }

  // A file name without a letter A-Z or digit 0-9, or too long, names no graph: what to
  // do on this page (the API's own advice names graph=, which the page sets by its graph
  // choice, when it offers one).
  function renameOrChoose(text) {
    if (choice) text += ", of kies hierboven bij Graaf de graaf die deze werkmap moet vervangen";
    return text + ".";
  }

  // What the API says is wrong with a refused upload (400, 413), in Dutch, or null when
  // it says nothing the page can tell in Dutch.
  function refusal(payload, file) {
    const name = typeof payload.file_name === "string" ? payload.file_name : file.name;
    if (payload.reason === "file_name_names_no_graph") {
      return renameOrChoose("Van de bestandsnaam " + name + " kan geen graafnaam worden " +
        "gemaakt: zonder gekozen graaf heet de graaf van een werkmap naar de letters A-Z en " +
        "cijfers 0-9 van de bestandsnaam, en deze naam heeft er geen. Geef het bestand een " +
        "naam met letters of cijfers (zoals geluid-2025.xlsx) en kies het opnieuw");
    }
    if (payload.reason === "file_name_too_long") {
      return renameOrChoose("De bestandsnaam is te lang om er een graaf naar te noemen (" +
        Array.from(name).length.toLocaleString("nl-NL") + " tekens). Geef het bestand een " +
        "kortere naam en kies het opnieuw");
    }
    return typeof payload.message_nl === "string" && payload.message_nl ? payload.message_nl : null;
  }

  function megabytes(n) {
    return (Math.ceil(n * 10) / 10).toLocaleString("nl-NL") + " MB";
  }

  function tooLarge(file, limitMb) {
    return "Het bestand " + file.name + " is " + megabytes(file.size / 1048576) +
      "; deze dienst neemt hoogstens " + limitMb.toLocaleString("nl-NL") + " MB in één keer aan. " +
      "Verdeel de gegevens over kleinere werkmappen (elke wordt een eigen graaf), of vraag de " +
      "beheerder van het register de werkmap in te laden.";
  }

  function count(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  // The answer names the file it is about: a user who sent several reads which one.
  function loaded(payload, file) {
    const triples = count(payload.triples, "triple", "triples");
    if (!payload.replaced) {
      return "De werkmap " + file.name + " is ingeladen in graaf " + payload.graph + ": " + triples + "; dit is een nieuwe graaf.";
    }
    if (payload.changed === false) {
      return "Graaf " + payload.graph + " is ongewijzigd: de werkmap " + file.name + " bevat precies wat er al in stond (" + triples + ").";
    }
    // What changed, where the service counted it (a validity period's blank nodes count
    // as written again).
    const counted = Number.isInteger(payload.added) && Number.isInteger(payload.removed)
      ? " (" + count(payload.added, "triple", "triples") + " erbij, " + payload.removed + " eraf)"
      : "";
    return "De werkmap " + file.name + " is ingeladen in graaf " + payload.graph + ": " + triples + "; de vorige inhoud van die graaf is vervangen" + counted + ".";
  }

  // The graph of the sheet metingen, which the upload replaced: an empty sheet empties it.
  function measurementsOf(payload) {
    const m = payload.measurements;
    if (!m || typeof m.graph !== "string") return null;
    if (m.count === 0 && m.before > 0) {
      return {
        alarm: true,
        text: "Let op: het blad metingen was leeg, dus graaf " + m.graph + " is leeggemaakt: " +
          count(m.before, "meting", "metingen") + " verwijderd.",
      };
    }
    return {
      alarm: false,
      text: "Metingen: graaf " + m.graph + " bevat nu " + count(m.count, "meting", "metingen") +
        " (voor het inladen: " + m.before + ").",
    };
  }

  function report(response, payload, file) {
    const nothing = " Er is niets gewijzigd in het register.";
    switch (response.status) {
      case 200: {
        const warnings = payload.warnings || [];
        let text = loaded(payload, file);
        if (payload.warnings_total) {
          text += " " + count(payload.warnings_total, "waarschuwing", "waarschuwingen") + " (hieronder).";
        }
        show("ok", "Ingeladen", text, warnings, payload.classes || [], measurementsOf(payload));
        return;
      }
      case 422: {
        if (!Array.isArray(payload.problems)) break;
        const total = payload.problems_total || payload.problems.length;
        let text = "De werkmap " + file.name + " is niet ingeladen: " + count(total, "probleem", "problemen") + " gevonden.";
        if (payload.problems_truncated) text += " De eerste " + payload.problems.length + " staan hieronder.";
        show("fout", "Niet ingeladen", text + nothing, payload.problems);
        return;
      }
      case 400: {
        const said = refusal(payload, file);
        show("fout", "Niet ingeladen", (said || "De server weigerde de werkmap" + detailOf(payload) + ".") + nothing);
        return;
      }
      case 401:
        show("fout", "Niet ingeladen", "Het token ontbreekt of is onjuist." + nothing);
        return;
      case 403:
        show("fout", "Niet ingeladen", "Dit token mag niet schrijven, of de dienst is alleen-lezen" + detailOf(payload) + "." + nothing);
        return;
      case 413: {
        const said = refusal(payload, file);
        show("fout", "Niet ingeladen", (said || "De werkmap is te groot voor deze dienst" + detailOf(payload) + ".") + nothing);
        return;
      }
      case 503: {
        const wait = response.headers.get("Retry-After");
        show("fout", "Niet ingeladen", "Er wordt op dit moment al iets anders in het register geschreven. " +
          "Probeer het " + (wait ? "over " + count(Number(wait), "seconde", "seconden") : "straks") + " opnieuw." + nothing);
        return;
      }
    }
    show("fout", "Niet ingeladen", "Onverwacht antwoord van de server (status " + response.status + ")" + detailOf(payload) + ".");
  }

  const notSent = " Er is niets verzonden.";

  // What is wrong with the token as typed, or null. A browser puts a header's text in
  // bytes of one character each: fetch refuses a character above U+00FF (a ’ or …
  // pasted from a mail or a document) before any request, and "required" lets a field
  // of spaces pass, which trim() makes empty.
  function tokenProblem(typed) {
    const token = typed.trim();
    if (!token) {
      return "Het token bestaat alleen uit spaties. Vul het token in dat u voor dit register kreeg.";
    }
    const characters = Array.from(token);
    const at = characters.findIndex((c) => c.codePointAt(0) > 0xff);
    if (at < 0) return null;
    return "Het token bevat het teken " + characters[at] + " (op plaats " + (at + 1) + " van " +
      characters.length + "), dat een browser niet kan verzenden. " +
      "Is het bij het kopiëren meegekomen, bijvoorbeeld een aanhalingsteken uit een e-mail? " +
      "Haal het weg of typ het token over.";
  }

  function refuseToken(text) {
    show("fout", "Niet ingeladen", text + notSent);
    form.elements.token.focus();
  }

  // What is wrong with the file chosen before it is sent, or null: an empty file holds no
  // workbook, and one over the upload limit would be refused after it was sent.
  function fileProblem(file) {
    if (file.size === 0) {
      return "Het bestand " + file.name + " is leeg (0 bytes): er staat geen werkmap in. " +
        "Kies het bestand dat u in Excel als werkmap (.xlsx) hebt opgeslagen.";
    }
    const limitMb = Number(form.dataset.maxUploadMb);
    if (limitMb > 0 && file.size > limitMb * 1048576) return tooLarge(file, limitMb);
    return null;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const file = form.elements.file.files[0];
    if (!file) return;
    const wrongFile = fileProblem(file);
    if (wrongFile) {
      show("fout", "Niet ingeladen", wrongFile + notSent);
      form.elements.file.focus();
      return;
    }
    const problem = tokenProblem(form.elements.token.value);
    if (problem) {
      refuseToken(problem);
      return;
    }
    let headers;
    try {
      headers = new Headers({
        Authorization: "Bearer " + form.elements.token.value.trim(),
        Accept: "application/json",
      });
    } catch (_) {
      refuseToken("Het token bevat een teken dat een browser niet in een verzoek kan zetten.");
      return;
    }
    const graph = chosenGraph();
    const url = form.dataset.importUrl + (graph ? "?graph=" + encodeURIComponent(graph) : "");
    const data = new FormData();
    data.append("file", file, file.name);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    busy.hidden = false;
    try {
      const response = await fetch(url, { method: "POST", headers: headers, body: data });
      let payload = null;
      try {
        payload = await response.json();
      } catch (_) {
        payload = null;
      }
      report(response, payload || {}, file);
    } catch (_) {
      show("fout", "Niet ingeladen", "De server gaf geen antwoord (niet bereikbaar of verbinding verbroken). Kijk of de graaf is gewijzigd voor u het opnieuw probeert.");
    } finally {
      button.disabled = false;
      busy.hidden = true;
    }
  });
})();
