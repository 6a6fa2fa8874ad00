// Verifies a mez credential with Digital Bazaar's implementation of the W3C Data Integrity
// stack (jsonld-signatures, data-integrity, eddsa-jcs-2022-cryptosuite, did:key), from npm:
//
//   NODE_PATH=<dir with node_modules> node vc_verify.mjs CREDENTIAL.json
//
// Contexts are served from the packages (no network): the VC 2.0 context from
// @digitalbazaar/credentials-context, and the W3C examples context, whose whole content is
// an @vocab. Prints {"verified": true|false, "error": …}; exits 0 when verified.
import {createRequire} from 'node:module';
import {readFileSync} from 'node:fs';
import path from 'node:path';

const base = process.env.NODE_PATH || process.cwd();
const require = createRequire(path.join(base, 'index.js'));
const load = async name => import(require.resolve(name));

const {DataIntegrityProof} = await load('@digitalbazaar/data-integrity');
const {createVerifyCryptosuite} = await load('@digitalbazaar/eddsa-jcs-2022-cryptosuite');
const Ed25519Multikey = await load('@digitalbazaar/ed25519-multikey');
const jsigs = (await load('jsonld-signatures')).default;
const {securityLoader} = await load('@digitalbazaar/security-document-loader');
const didKey = await load('@digitalbazaar/did-method-key');

const credential = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const loader = securityLoader();
loader.addStatic('https://www.w3.org/ns/credentials/examples/v2', {
  '@context': {'@vocab': 'https://www.w3.org/ns/credentials/examples#'}
});
const keys = didKey.driver();
keys.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
const documentLoader = async url => {
  if(url.startsWith('did:key:')) {
    const document = await keys.get({url});
    return {contextUrl: null, documentUrl: url, document};
  }
  return loader.build()(url);
};
const {purposes: {AssertionProofPurpose}} = jsigs;
const result = await jsigs.verify(credential, {
  suite: new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()}),
  purpose: new AssertionProofPurpose(),
  documentLoader
});
const error = result.error && (result.error.errors || [result.error]).map(e => String(e.message || e)).join('; ');
console.log(JSON.stringify({verified: result.verified, error: error || undefined}));
process.exit(result.verified ? 0 : 1);
