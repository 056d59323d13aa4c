// The workbook page (/werkmap): sends the upload form to the import API with the
// token as a bearer header (a plain form cannot), and shows the answer: what was
// loaded (counts per class, linked to their lists), or every problem with its
// sheet, row and column and a link to the thing its row describes. Text is set
// with textContent only, so nothing in a workbook can become markup on the page;
// links are only those of this site the API gives (paths starting with one "/").
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

  function show(kind, title, text, problems, counts) {
    result.hidden = false;
    heading.textContent = title;
    message.className = kind;
    message.textContent = text;
    classes.replaceChildren();
    contents.hidden = !counts || counts.length === 0;
    for (const count of counts || []) classes.appendChild(classItem(count));
    body.replaceChildren();
    table.hidden = !problems || problems.length === 0;
    for (const problem of problems || []) body.appendChild(problemRow(problem));
    result.scrollIntoView({ block: "start" });
  }

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

  function count(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  function report(response, payload) {
    const nothing = " Er is niets gewijzigd in het register.";
    switch (response.status) {
      case 200: {
        const warnings = payload.warnings || [];
        let text =
          "De werkmap is ingeladen in graaf " + payload.graph + ": " +
          count(payload.triples, "triple", "triples") +
          (payload.replaced ? "; de vorige inhoud van die graaf is vervangen." : "; dit is een nieuwe graaf.");
        if (payload.warnings_total) {
          text += " " + count(payload.warnings_total, "waarschuwing", "waarschuwingen") + ":";
        }
        show("ok", "Ingeladen", text, warnings, payload.classes || []);
        return;
      }
      case 422: {
        if (!Array.isArray(payload.problems)) break;
        const total = payload.problems_total || payload.problems.length;
        let text = "De werkmap is niet ingeladen: " + count(total, "probleem", "problemen") + " gevonden.";
        if (payload.problems_truncated) text += " De eerste " + payload.problems.length + " staan hieronder.";
        show("fout", "Niet ingeladen", text + nothing, payload.problems);
        return;
      }
      case 400:
        show("fout", "Niet ingeladen", "Dit bestand is geen leesbare werkmap (.xlsx)" + detailOf(payload) + "." + nothing);
        return;
      case 401:
        show("fout", "Niet ingeladen", "Het token ontbreekt of is onjuist." + nothing);
        return;
      case 403:
        show("fout", "Niet ingeladen", "Dit token mag niet schrijven, of de dienst is alleen-lezen" + detailOf(payload) + "." + nothing);
        return;
      case 413:
        show("fout", "Niet ingeladen", "De werkmap is te groot voor deze dienst" + detailOf(payload) + "." + nothing);
        return;
      case 503: {
        const wait = response.headers.get("Retry-After");
        show("fout", "Niet ingeladen", "Er wordt op dit moment al iets anders in het register geschreven. " +
          "Probeer het " + (wait ? "over " + count(Number(wait), "seconde", "seconden") : "straks") + " opnieuw." + nothing);
        return;
      }
    }
    show("fout", "Niet ingeladen", "Onverwacht antwoord van de server (status " + response.status + ")" + detailOf(payload) + ".");
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const file = form.elements.file.files[0];
    const token = form.elements.token.value.trim();
    if (!file || !token) return;
    const data = new FormData();
    data.append("file", file, file.name);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    busy.hidden = false;
    try {
      const response = await fetch(form.dataset.importUrl, {
        method: "POST",
        headers: { Authorization: "Bearer " + token, Accept: "application/json" },
        body: data,
      });
      let payload = null;
      try {
        payload = await response.json();
      } catch (_) {
        payload = null;
      }
      report(response, payload || {});
    } catch (_) {
      show("fout", "Niet ingeladen", "De server gaf geen antwoord (niet bereikbaar of verbinding verbroken). Kijk of de graaf is gewijzigd voor u het opnieuw probeert.");
    } finally {
      button.disabled = false;
      busy.hidden = true;
    }
  });
})();
