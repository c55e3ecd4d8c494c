// The live job watch: the signed-in user's job documents from Firestore (no polling of the API).
import { initializeApp, deleteApp } from "firebase/app";
import {
  collection, connectFirestoreEmulator, getFirestore, limit, onSnapshot, orderBy, query, where,
} from "firebase/firestore";

/** @typedef {import("./client.js").FirestoreAccess} FirestoreAccess */

/**
 * Watches ``jobs`` where uid == the user, newest first. Locally the emulator takes the login's
 * unsigned token as ``mockUserToken``; in the cloud the custom token signs in to Firebase Auth.
 */
export class JobWatch {
  /**
   * @param {string} uid
   * @param {FirestoreAccess} access from login or /api/auth/me
   */
  constructor(uid, access) {
    this.uid = uid;
    // The emulator takes any API key; the cloud's come with the login (its Firebase web app).
    const config = {
      projectId: access.project,
      apiKey: access.api_key || "local",
      appId: access.app_id || "create-studio",
    };
    this.app = initializeApp(config, `jobs-${uid}-${Date.now()}`);
    this.db = getFirestore(this.app);
    /** @type {Promise<void>} */
    this.ready = Promise.resolve();
    if (access.emulator_host) {
      const [host, port] = access.emulator_host.split(":");
      connectFirestoreEmulator(this.db, host, Number(port), { mockUserToken: access.token || { user_id: uid } });
    } else if (access.custom_token) {
      // Only the cloud signs in to Firebase Auth: loaded on demand, the local editor never pays for it.
      const token = access.custom_token;
      this.ready = import("firebase/auth").then(({ getAuth, signInWithCustomToken }) =>
        signInWithCustomToken(getAuth(this.app), token)).then(() => undefined);
    }
    /** @type {(() => void) | null} */
    this.stop = null;
  }

  /**
   * @param {(jobs: any[]) => void} onJobs every snapshot, newest first
   * @param {(error: Error) => void} onError
   * @param {number} [count]
   */
  async start(onJobs, onError, count = 30) {
    await this.ready;
    const jobs = query(
      collection(this.db, "jobs"),
      where("uid", "==", this.uid), // the rules only answer queries filtered on the owner
      orderBy("created_at", "desc"),
      limit(count),
    );
    this.stop = onSnapshot(
      jobs,
      (snapshot) => onJobs(snapshot.docs.map((doc) => doc.data())),
      (error) => onError(error),
    );
  }

  async close() {
    this.stop?.();
    this.stop = null;
    await deleteApp(this.app);
  }
}
