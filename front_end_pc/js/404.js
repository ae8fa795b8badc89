// The shop's 404 page, served for every missing page (nginx error_page, Django in the demo): static text, a
// search box, and the same shell as every page.
meiduo.createApp({}).mount('#app');
