// The composition root: the session decides between the sign-in screen and the editor; a
// session that ends mid-work shows the sign-in dialog over the editor, which keeps its work.
import { auth } from "./api/client.js";
import { ApiError, onUnauthenticated } from "./api/http.js";
import { Editor } from "./controllers/editor.js";
import { loadFonts } from "./view/fonts.js";
import { renderFrame } from "./view/frame_renderer.js";
import { loginView } from "./view/login_view.js";

const root = /** @type {HTMLElement} */ (document.getElementById("app"));
/** @type {Editor|null} */
let editor = null;
/** @type {HTMLElement|null} */
let dialog = null;
// For the browser tests and debugging: a frame of any draft, drawn as the preview draws it.
const hooks = /** @type {any} */ (window).createStudio = { renderFrame, editor: /** @type {Editor|null} */ (null) };

/** @param {import("./api/client.js").Session} session */
async function openEditor(session) {
  editor = new Editor(root, session, signOut);
  hooks.editor = editor;
  await editor.start();
}

function showSignIn() {
  root.replaceChildren(loginView({
    onSignIn: async (name, password) => {
      const session = await auth.login(name, password);
      await openEditor(session);
    },
  }));
}

async function signOut() {
  await editor?.destroy();
  editor = null;
  try {
    await auth.logout();
  } catch {
    // already signed out
  }
  showSignIn();
}

onUnauthenticated(() => {
  if (!editor || dialog) return;
  const current = editor;
  dialog = loginView({
    dialog: true,
    message: "Your session ended. Sign in again to carry on: your edits are kept.",
    onSignIn: async (name, password) => {
      const session = await auth.login(name, password);
      if (session.uid !== current.session.uid) {
        // Someone else signed in: this work is not theirs to see.
        await auth.logout();
        throw new ApiError(403, "wrong_user", `Sign in as ${current.session.uid} to keep this work.`);
      }
      dialog?.remove();
      dialog = null;
      current.resume(session);
    },
  });
  document.body.append(dialog);
});

async function boot() {
  const fonts = loadFonts().catch(() => {}); // text falls back to the system font until loaded
  try {
    const session = await auth.me();
    await fonts;
    await openEditor(session);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) console.error(error);
    showSignIn();
  }
}

boot();
