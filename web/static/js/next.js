// Where to go after logging in or signing up: only a page of this site.
//
// The browser's own URL parser decides, as it will when the page navigates: it drops tabs and
// newlines and reads "\" as "/", so "/\t/evil.example" or "/\\evil.example" would leave the
// site. Anything that resolves to another origin, or is not a path, falls back to "/".

export function safeNext(target) {
  if (typeof target !== "string" || !target) return "/";
  const cleaned = target.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "").replace(/[\t\n\r]/g, "");
  if (!cleaned.startsWith("/") || /[\u0000-\u001f\u007f]/.test(cleaned)) return "/";
  if (/^[/\\]{2}/.test(cleaned.replace(/\\/g, "/"))) return "/";
  let decoded = cleaned;
  try {
    decoded = decodeURIComponent(cleaned);
  } catch {
    return "/";
  }
  if (/^[/\\][\t\n\r]*[/\\]/.test(decoded)) return "/";
  let url;
  try {
    url = new URL(cleaned, location.origin);
  } catch {
    return "/";
  }
  if (url.origin !== location.origin) return "/";
  return url.pathname + url.search + url.hash;
}
