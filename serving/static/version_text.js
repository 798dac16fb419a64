// How a model version reads on every page (one rule for the dashboard and the case page): a registry number
// reads "v3"; a content version ("imr-overturn-3fa9c2b1d0e4", what `imr score --model DIR` stores) is shown as
// it is, never "vimr-overturn-...".
window.imrVersionText = (v) => (/^\d+$/.test(String(v)) ? "v" + v : String(v));
