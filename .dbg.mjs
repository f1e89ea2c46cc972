import { chromium } from '@playwright/test';
const [url] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu'] });
const p = await b.newPage();
p.on('console', (m) => console.log(`[${m.type()}] ${m.text()}`));
p.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
await p.goto(url);
for (const t of [300, 1000, 3000, 6000]) { await p.waitForTimeout(t); console.log(t, await p.getByTestId('f-lr').inputValue(), await p.getByTestId('f-dataset').inputValue()); }
await b.close();
