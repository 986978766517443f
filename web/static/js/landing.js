// The landing page: links to the four apps and the card holders' balance page.
import { h, clear } from './dom.js';
import { t } from './i18n.js';
import { startApp } from './shell.js';

startApp({ titleKey: 'app.home', publicApp: true, render: (main) => {
  main.className = 'narrow landing';
  clear(main, h('h1', { text: t('landing.title') }), h('p', { text: t('landing.intro') }),
    [['vendor', 'app.vendor', 'landing.vendor'], ['enroll', 'app.enroll', 'landing.enroll'], ['admin', 'app.admin', 'landing.admin'], ['transparency', 'app.transparency', 'landing.transparency'], ['balance', 'app.balance', 'landing.balance']]
      .map(([path, title, desc]) => h('div', {}, h('a', { class: 'button', href: '/' + path, id: 'go-' + path, text: t(title) }), h('p', { class: 'muted', text: t(desc) }))));
} });
