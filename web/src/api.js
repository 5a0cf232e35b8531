// The client of Playlake's read-only JSON API (docs/api.md).

// Fetches /api/NAME with the given parameters; throws with the server's message.
export async function api(name, params = {}) {
  const headers = {};
  const token = sessionStorage.getItem('playlake-token');
  if (token) headers.Authorization = `Bearer ${token}`;
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`api/${name}${query ? `?${query}` : ''}`, { headers });
  const body = await response.json();
  if (!response.ok) throw new Error(`${name}: ${body.error ?? response.status}`);
  return body;
}
