// The footer's help page is static text; mounting it gives it the same shell behaviour as every page.
meiduo.createApp({}).mount('#app');
