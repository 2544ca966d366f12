// The dashboard entry point (filled in by the dashboard module).
const app = document.getElementById("app");
if (app) app.textContent = "meterway";
