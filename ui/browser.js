// What the router adds to every page (ui/browser.py fills in its settings): the page's language, Streamlit's own
// English texts in the reader's language, Thai words kept whole, and the phone menu closed after a tap.
// Run again on every change of its settings (a language switch); what it installs, it installs once.
(() => {
  const pmqa = window.pmqa || (window.pmqa = {seen: new WeakMap()});
  pmqa.config = PMQA_CONFIG;
  for (const rule of pmqa.config.rules) rule.pattern = new RegExp(`^(?:${rule.pattern})$`);
  document.documentElement.lang = pmqa.config.lang;  // screen readers pick the Thai voice; CSS :lang(th)

  const WORD_BREAK = "\u200b", WORD_JOINER = "\u2060";
  const THAI_RUN = /[\u0e00-\u0e7f]{2,}/g;  // a Thai word between word breaks (U+200B is not Thai)
  const WRITTEN_OVER = /[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]/;  // vowels and tone marks over or under a letter
  const LONGEST_WORD = 24;  // a longer run is not one word (text typed with a stray U+200B): the browser breaks it
  const SKIPPED = "script, style, textarea, input, [contenteditable='true']:not([data-placeholder='true'])";

  // Text marked by ui.text.thai_lines (Thai words separated by U+200B): each word's letters joined, so the
  // browser breaks lines only between words (its own dictionary splits compounds: "เป้า|หมาย").
  const joined = text => !text.includes(WORD_BREAK) ? text : text.replace(THAI_RUN, word =>
    word.length > LONGEST_WORD ? word
      : [...word].map((c, i) => (i && !WRITTEN_OVER.test(c) ? WORD_JOINER + c : c)).join(""));

  const touch = () => window.matchMedia("(pointer: coarse)").matches;

  function translated(text, element) {
    const trimmed = text.trim();
    for (const rule of pmqa.config.rules) {
      const match = rule.pattern.test(trimmed) && element.closest(rule.where) && trimmed.match(rule.pattern);
      if (match) {
        const wanted = (touch() && rule.touch) || rule.text;
        return wanted.replace(/\{(\w+)\}/g, (_, name) => (match.groups || {})[name] ?? "");
      }
    }
    return text;
  }

  // A text node is shown from its source (what Streamlit wrote): a node the app changed since is a new source.
  function show(node) {
    const element = node.parentElement;
    if (!element || element.closest(SKIPPED)) return;
    const was = pmqa.seen.get(node), now = node.data;
    const source = was && now === was.shown ? was.source : now;
    const shown = joined(translated(source, element));
    if (shown === source && !was) return;
    pmqa.seen.set(node, {source, shown});
    if (shown !== now) node.data = shown;
  }

  function showAll(root) {
    if (root.nodeType === Node.TEXT_NODE) return show(root);
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) show(node);
  }

  if (!pmqa.installed) {
    pmqa.installed = true;
    new MutationObserver(records => {
      for (const record of records) {
        if (record.type === "characterData") show(record.target);
        else record.addedNodes.forEach(showAll);
      }
    }).observe(document.body, {childList: true, subtree: true, characterData: true});
    // On a narrow screen the sidebar lies over the page: a tap on a menu link closes it (Streamlit's own page
    // list does so; the router's page links do not).
    document.addEventListener("click", event => {
      const link = event.target.closest && event.target.closest('[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]');
      if (link && window.matchMedia(`(max-width: ${pmqa.config.narrow})`).matches) {
        document.querySelector('[data-testid="stSidebarCollapseButton"] button')?.click();
      }
    });
  }
  showAll(document.body);  // this language's texts everywhere, from their sources
})();
