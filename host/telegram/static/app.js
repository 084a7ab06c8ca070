// numbot's Mini App. Telegram opens /app with its launch data in the URL
// fragment (#tgWebAppData=...&tgWebAppThemeParams=...); the data is
// exchanged once for a session, then pages are loaded from the server into
// <main>. No Telegram script is needed: everything comes from the fragment.
"use strict";
(function () {
  const main = document.getElementById("page");
  const toast = document.getElementById("toast");
  const fragment = new URLSearchParams(location.hash.slice(1));
  let session = null;
  let refresh = null;

  // Telegram's theme: each colour a CSS variable, when it is one.
  function theme(raw) {
    let params = {};
    try { params = JSON.parse(raw || "{}"); } catch (e) { params = {}; }
    for (const [key, value] of Object.entries(params)) {
      if (/^#[0-9a-fA-F]{6}$/.test(value)) {
        document.documentElement.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), value);
      }
    }
  }

  function say(message, bad) {
    toast.textContent = message || "";
    toast.className = bad ? "bad" : "";
    toast.hidden = !message;
  }

  function show(html) {
    main.innerHTML = html;
    const page = main.querySelector(".page");
    if (refresh) { clearTimeout(refresh); refresh = null; }
    if (page && page.dataset.refresh) {
      const name = page.dataset.page;
      refresh = setTimeout(function () { load(name, true); }, Number(page.dataset.refresh) * 1000);
    }
  }

  // Only the latest load is shown: a page's refresh still on its way
  // must not replace the page asked for since.
  let loads = 0;
  function load(name, quiet, query) {
    if (!quiet) { say(""); }
    const mine = ++loads;
    return fetch("/page/" + encodeURIComponent(name) + (query ? "?" + query : ""), {
      headers: { Authorization: "Session " + session.token },
    }).then(function (r) {
      return r.text().then(function (body) { if (mine === loads) { show(body); } });
    }).catch(function () { say("…", true); });
  }

  function act(button) {
    if (button.dataset.confirm && !button.classList.contains("confirming")) {
      button.classList.add("confirming");
      button.dataset.label = button.textContent;
      button.textContent = button.dataset.confirm;
      return;
    }
    button.disabled = true;
    fetch("/act/" + encodeURIComponent(button.dataset.act), {
      method: "POST",
      headers: {
        Authorization: "Session " + session.token,
        "X-CSRF-Token": session.csrf,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({ arg: button.dataset.arg || "" }),
    }).then(function (r) {
      return r.json().then(function (answer) {
        say(answer.message, !r.ok);
        const current = main.querySelector(".page");
        const next = answer.page || (current && current.dataset.page);
        if (next) { return load(next, true); }
      });
    }).catch(function () {
      button.disabled = false;
    });
  }

  // An upload: the file's bytes to /upload, which answers with the
  // preview page (nothing is stored until its import button).
  function upload(button) {
    const input = main.querySelector("#upload-file");
    const file = input && input.files[0];
    if (!file) { say(button.dataset.missing, true); return; }
    const category = main.querySelector("#upload-category").value.trim();
    button.disabled = true;
    file.arrayBuffer().then(function (bytes) {
      return fetch("/upload", {
        method: "POST",
        headers: {
          Authorization: "Session " + session.token,
          "X-CSRF-Token": session.csrf,
          "X-File-Name": encodeURIComponent(file.name),
          "X-Category": encodeURIComponent(category),
          "Content-Type": "application/octet-stream",
        },
        body: bytes,
      });
    }).then(function (r) {
      if (r.ok) { return r.text().then(function (body) { say(""); show(body); }); }
      return r.json().then(function (answer) {
        say(answer.message, true);
        button.disabled = false;
      });
    }).catch(function () {
      say("…", true);
      button.disabled = false;
    });
  }

  // The history search: the form's fields as the page's query.
  function searched() {
    const form = main.querySelector("#history-search");
    const query = new URLSearchParams();
    for (const [key, value] of new FormData(form)) {
      if (String(value).trim() !== "") { query.set(key, String(value).trim()); }
    }
    return query;
  }

  // An export of every use the search matches, saved as a file.
  function exported(button) {
    const query = searched();
    query.set("format", button.dataset.export);
    button.disabled = true;
    fetch("/export?" + query.toString(), {
      headers: { Authorization: "Session " + session.token },
    }).then(function (r) {
      if (!r.ok) { return r.text().then(function (why) { say(why, true); }); }
      return r.blob().then(function (blob) {
        const link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = "uses." + button.dataset.export;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
      });
    }).catch(function () { say("…", true); }).finally(function () {
      button.disabled = false;
    });
  }

  main.addEventListener("submit", function (event) {
    if (event.target.id !== "history-search") { return; }
    event.preventDefault();
    load("history", false, searched().toString());
  });

  main.addEventListener("click", function (event) {
    const tab = event.target.closest("[data-page]");
    if (tab && tab.tagName === "A") {
      event.preventDefault();
      load(tab.dataset.page, false, tab.dataset.query);
      return;
    }
    const exporting = event.target.closest("button[data-export]");
    if (exporting) { exported(exporting); return; }
    const sending = event.target.closest("button[data-upload]");
    if (sending) { upload(sending); return; }
    const button = event.target.closest("button[data-act]");
    if (button) { act(button); }
  });

  main.addEventListener("input", function (event) {
    if (event.target.id !== "search") { return; }
    const wanted = event.target.value.trim().toLowerCase();
    for (const item of main.querySelectorAll("#category-list li")) {
      item.hidden = wanted !== "" && !item.dataset.name.includes(wanted);
    }
  });

  function start(opened, launch) {
    session = opened;
    sessionStorage.setItem("numbot-session", JSON.stringify(opened));
    sessionStorage.setItem("numbot-launch", launch || "");
    document.documentElement.lang = opened.lang;
    document.documentElement.dir = opened.dir;
    return load(opened.home);
  }

  theme(fragment.get("tgWebAppThemeParams"));
  const kept = sessionStorage.getItem("numbot-session");
  // Inside Telegram: the launch data. In a browser: a one-time login link
  // from /dashboard, taken off the address bar at once (it works once).
  const login = fragment.get("login");
  const launch = fragment.get("tgWebAppData") || login;
  if (login) { history.replaceState(null, "", location.pathname + location.search); }
  // A reload: the launch data was exchanged already; its session goes on.
  if (kept && (!launch || launch === sessionStorage.getItem("numbot-launch"))) {
    start(JSON.parse(kept), launch);
    return;
  }
  fetch("/session", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(login ? { login: login } : { init_data: launch || "" }),
  }).then(function (r) {
    return r.json().then(function (answer) {
      if (!r.ok) {
        main.innerHTML = "";
        const p = document.createElement("p");
        p.id = "refused";
        p.className = "refused-message";
        p.textContent = answer.message;
        main.appendChild(p);
        return;
      }
      return start(answer, launch);
    });
  });
})();
