// Page object: an official logs in and joins a meeting through the UI.
import type { Browser, Page } from 'playwright-core';

export async function loginAndJoin(browser: Browser, baseUrl: string, username: string, password: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.warn(`[${username}] page error: ${e.message}`));
  // The page's own warnings (a consume that failed, a recovery step) explain a failing wait.
  page.on('console', (m) => {
    // A failed load is said once, with its address, by the response listener below.
    if (m.text().startsWith('Failed to load resource')) return;
    if (m.type() === 'warning' || m.type() === 'error') console.warn(`[${username}] ${m.type()}: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) console.warn(`[${username}] ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  await logIn(page, baseUrl, username, password);
  await page.getByTestId('meeting-item').first().waitFor({ timeout: 20_000 });
  await page.getByTestId('join-meeting').first().click();
  await page.getByTestId('lobby-preview').waitFor({ timeout: 20_000 });
  await page.getByTestId('enter-room').click();
  await waitConnected(page);
  return page;
}

/** The login form, as a user fills it; returns once the app says who is signed in. */
export async function logIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/#/login`);
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('whoami').waitFor({ timeout: 20_000 });
}

/** A fresh browser context signed in as `username`. */
export async function signedIn(browser: Browser, baseUrl: string, username: string, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await logIn(page, baseUrl, username, password);
  return page;
}

export async function waitConnected(page: Page, timeout = 30_000): Promise<void> {
  await page.locator('[data-testid="session-status"][data-status="connected"]').waitFor({ timeout });
}

export function myPeerId(page: Page): Promise<string> {
  return page
    .getByTestId('room')
    .getAttribute('data-peer-id')
    .then((v) => v ?? '');
}

/**
 * How many places `viewer` shows the site with this code: its thumbnails plus the main picture when it
 * is that site (a ghost beside a new peer would make two; a site gone makes none). Both are read in one
 * task of the page: read apart, a switch of the main picture in between could count the site nowhere.
 */
export function placesOfSite(viewer: Page, code: string): Promise<number> {
  return viewer.evaluate((c) => {
    const tiles = document.querySelectorAll(`[data-testid="site-tile"][data-site="${c}"]`).length;
    const main = document.querySelectorAll(`[data-testid="main-picture"][data-shown-site="${c}"]`).length;
    return tiles + main;
  }, code);
}
