// How a model version reads on every page (one rule for the dashboard and the case page): a registry number
// reads "v3"; a content version ("imr-overturn-3fa9c2b1d0e4", what `imr score --model DIR` stores) is shown as
// it is, never "vimr-overturn-...".
window.imrVersionText = (v) => (/^\d+$/.test(String(v)) ? "v" + v : String(v));
// A model with its version: "imr-overturn v3", but a content version that already begins with the model's
// name reads alone ("imr-overturn-3fa9c2b1d0e4", not "imr-overturn imr-overturn-3fa9c2b1d0e4").
window.imrModelText = (name, v) =>
  (String(v).startsWith(String(name) + "-") ? String(v) : name + " " + window.imrVersionText(v));
