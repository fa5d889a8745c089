// Wegweiser's service worker: keeps the start page, the list, the referral sheet, the offers
// on the list and the offer and organisation pages a reader opened available without a
// network. Pages come from the network whenever it answers (so they are never stale online)
// and from the cache only when it does not; a page served from the cache is marked with the
// time it was saved, for the note the page shows. Nothing here talks to any other site.
"use strict";

var PAGES = "wegweiser-pages-v1";
var STATIC = "wegweiser-static-v1";
var SAVED_PAGES = /^\/[a-z]{2,3}(-[A-Za-z]{2,4})?\/(list(\/sheet)?|offers\/[^/]+|organisations\/[^/]+)?$/;
var MAX_PAGES = 200;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("wegweiser-") === 0 && name !== PAGES && name !== STATIC;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function savedPage(url) {
  return url.origin === self.location.origin && SAVED_PAGES.test(url.pathname) && !url.search;
}

function startPage(url) {
  var lang = url.pathname.split("/")[1];
  return new URL("/" + lang + "/", url.origin).href;
}

// A copy to keep, stamped with the moment it was saved.
function stamped(response) {
  return response.blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set("X-Saved-At", new Date().toISOString());
    return new Response(body, { status: response.status, headers: headers });
  });
}

function remember(request, response) {
  if (!response || response.status !== 200 || response.type !== "basic") { return response; }
  var copy = response.clone();
  caches.open(PAGES).then(function (cache) {
    return stamped(copy).then(function (kept) { return cache.put(request, kept); })
      .then(function () { return cache.keys(); });
  }).then(function (keys) {
    // The oldest pages go first when a reader has opened very many.
    return Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map(function (key) {
      return caches.open(PAGES).then(function (cache) { return cache.delete(key); });
    }));
  });
  return response;
}

// A saved page, marked for the page's script: when it was saved, and whether it stands in
// for a page that was never saved.
function fromCache(url, fallback) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(url, { ignoreVary: true }).then(function (found) {
      if (found) { return [found, false]; }
      return cache.match(startPage(new URL(url)), { ignoreVary: true }).then(function (start) {
        return [start, !!start];
      });
    });
  }).then(function (pair) {
    var response = pair[0];
    if (!response) { return fallback; }
    var saved = response.headers.get("X-Saved-At") || "";
    return response.text().then(function (html) {
      var mark = ' data-offline-saved="' + saved.replace(/"/g, "") + '"' +
        (pair[1] ? ' data-offline-missing="1"' : "");
      return new Response(html.replace("<html ", "<html" + mark + " "), {
        status: 200, headers: { "Content-Type": "text/html; charset=utf-8" }
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    // Fingerprinted files never change under their URL: the cache answers first.
    event.respondWith(caches.open(STATIC).then(function (cache) {
      return cache.match(request).then(function (found) {
        return found || fetch(request).then(function (response) {
          if (response.ok) { cache.put(request, response.clone()); }
          return response;
        });
      });
    }));
    return;
  }
  if (request.mode !== "navigate") { return; }
  event.respondWith(fetch(request).then(function (response) {
    return savedPage(url) ? remember(request, response) : response;
  }).catch(function (error) {
    return fromCache(request.url, Response.error()).then(function (response) {
      if (response.type === "error") { throw error; }
      return response;
    });
  }));
});

// The list page sends the addresses of the offers on it, so they are there offline too.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "save" || !Array.isArray(data.urls)) { return; }
  event.waitUntil(caches.open(PAGES).then(function (cache) {
    return Promise.all(data.urls.slice(0, 50).map(function (href) {
      var url = new URL(href, self.location.origin);
      if (!savedPage(url)) { return null; }
      return fetch(url.href, { credentials: "same-origin" }).then(function (response) {
        if (response.ok) {
          return stamped(response).then(function (kept) { return cache.put(url.href, kept); });
        }
        return null;
      }).catch(function () { return null; });
    }));
  }));
});
