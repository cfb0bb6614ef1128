// The colour theme, set before the page is first drawn: this file is a classic script
// in <head> (not a module, which would run after the first paint and flash the light
// theme). The choice — 'system', 'light' or 'dark' — is kept in localStorage under
// tabula.theme; html[data-theme] is the theme in force ('light' or 'dark') and follows
// the system while the choice is 'system'. appearance.js offers the switch.
(function () {
  var KEY = 'tabula.theme';
  var media = window.matchMedia('(prefers-color-scheme: dark)');
  function choice() {
    try {
      var c = localStorage.getItem(KEY);
      return c === 'light' || c === 'dark' ? c : 'system';
    } catch (e) {
      return 'system';
    }
  }
  function apply() {
    var c = choice();
    var root = document.documentElement;
    root.dataset.themeChoice = c;
    root.dataset.theme = c === 'system' ? (media.matches ? 'dark' : 'light') : c;
  }
  media.addEventListener('change', apply);
  window.addEventListener('storage', function (e) {
    if (e.key === KEY) apply();
  });
  window.tabulaTheme = {
    choice: choice,
    set: function (c) {
      try {
        if (c === 'system') localStorage.removeItem(KEY);
        else localStorage.setItem(KEY, c);
      } catch (e) {
        // Storage off: the choice lasts as long as the page.
      }
      document.documentElement.dataset.themeChoice = c;
      document.documentElement.dataset.theme = c === 'system' ? (media.matches ? 'dark' : 'light') : c;
    },
  };
  apply();
})();
