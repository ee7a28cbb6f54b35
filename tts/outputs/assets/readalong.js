// Read-along: light the word being spoken, seek by clicking the text, keyboard and speed controls.
// The page works without this script: the text, the chapter links and a plain audio player.
(function () {
  "use strict";
  var audio = document.getElementById("audio");
  var article = document.querySelector("article");
  var SEEK_STEP_S = Number(article.dataset.seekStep);  // the step the page's key help names
  var words = Array.prototype.slice.call(article.querySelectorAll(".w"));
  var starts = words.map(function (w) { return Number(w.dataset.start); });
  var links = Array.prototype.slice.call(document.querySelectorAll("nav a[data-start]"));
  var status = document.querySelector(".status");
  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  // The stylesheet's breakpoint: narrower, the chapter list is folded above the text.
  var wide = window.matchMedia("(min-width: 62rem)");
  var chapters = document.querySelector("details.chapters");
  var current = -1;
  var following = false;  // the text follows the audio once playback has started, not before

  document.documentElement.classList.add("js");
  document.querySelector(".controls").hidden = false;

  // The last word that has started by ``ms`` (binary search), or -1 before the first.
  function wordAt(ms) {
    var low = 0, high = starts.length - 1, found = -1;
    while (low <= high) {
      var mid = (low + high) >> 1;
      if (starts[mid] <= ms) { found = mid; low = mid + 1; } else { high = mid - 1; }
    }
    return found;
  }

  // Scroll only when the word leaves the band below the sticky player: reading is not jolted.
  function keepInView(element) {
    if (!following) { return; }  // on load the page stays at its top, the heading in view
    var box = element.getBoundingClientRect();
    var top = document.querySelector(".player").getBoundingClientRect().bottom + 16;
    if (box.top < top || box.bottom > window.innerHeight - 48) {
      element.scrollIntoView({ block: "center", behavior: reduceMotion ? "auto" : "smooth" });
    }
  }

  // The paragraph being heard: shaded in the text, marked in the chapter list.
  function markChapter(word) {
    var id = word ? word.parentNode.id : "";
    var reading = article.querySelector(".reading");
    if (reading && reading.id !== id) { reading.classList.remove("reading"); }
    if (word) { word.parentNode.classList.add("reading"); }
    links.forEach(function (link) {
      if (link.getAttribute("href") === "#" + id) { link.setAttribute("aria-current", "true"); }
      else { link.removeAttribute("aria-current"); }
    });
  }

  function highlight(index) {
    if (index === current) { return; }
    if (current >= 0) { words[current].classList.remove("current"); }
    current = index;
    article.dataset.currentWord = String(index);
    var word = index >= 0 ? words[index] : null;
    if (word) {
      word.classList.add("current");
      keepInView(word);
    }
    markChapter(word);
  }

  function sync() { highlight(wordAt(audio.currentTime * 1000)); }

  // timeupdate comes about 4 times a second: follow the frames while playing.
  function follow() {
    sync();
    if (!audio.paused) { window.requestAnimationFrame(follow); }
  }

  function seek(ms) {
    audio.currentTime = ms / 1000;
    sync();
  }

  function toggle() {
    if (audio.paused) { audio.play().catch(function () {}); } else { audio.pause(); }
  }

  audio.addEventListener("timeupdate", sync);
  audio.addEventListener("seeked", sync);
  audio.addEventListener("play", function () {
    following = true;
    window.requestAnimationFrame(follow);
  });
  audio.addEventListener("loadedmetadata", function () {
    document.documentElement.dataset.duration = String(audio.duration);
  });
  audio.addEventListener("error", function () { status.textContent = status.dataset.error; });

  article.addEventListener("click", function (event) {
    var target = event.target.closest("[data-start]");
    if (target) { seek(Number(target.dataset.start)); }
  });
  article.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target.classList.contains("para")) {
      event.preventDefault();
      seek(Number(target.dataset.start));
    }
  });
  links.forEach(function (link) {
    link.addEventListener("click", function () { seek(Number(link.dataset.start)); });
  });
  document.getElementById("speed").addEventListener("change", function (event) {
    audio.playbackRate = Number(event.target.value);
  });

  // Space plays or pauses and the arrows step, unless a control that uses those keys has focus.
  document.addEventListener("keydown", function (event) {
    var tag = event.target.tagName;
    if (event.altKey || event.ctrlKey || event.metaKey ||
        /^(AUDIO|SELECT|INPUT|TEXTAREA|BUTTON|A)$/.test(tag)) { return; }
    if (event.key === " ") { toggle(); }
    else if (event.key === "ArrowRight") { seek((audio.currentTime + SEEK_STEP_S) * 1000); }
    else if (event.key === "ArrowLeft") { seek(Math.max(0, audio.currentTime - SEEK_STEP_S) * 1000); }
    else { return; }
    event.preventDefault();
  });

  function foldChapters() { if (chapters) { chapters.open = wide.matches; } }
  if (wide.addEventListener) { wide.addEventListener("change", foldChapters); }
  foldChapters();

  sync();
})();
