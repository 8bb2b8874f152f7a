/** /assets/favicon.svg: a thread of three dots; served from /assets so the CSP needs no data: URLs. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#4a154b"/><circle cx="5" cy="5" r="1.6" fill="#fff"/><circle cx="8" cy="8" r="1.6" fill="#ecb22e"/><circle cx="11" cy="11" r="1.6" fill="#e01e5a"/></svg>
`;
