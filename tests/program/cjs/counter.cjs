// A CommonJS module for the code-cache loader test: exports a counter and where it was loaded from.
let n = 0;
exports.next = () => ++n;
exports.dir = __dirname;
exports.path = require('node:path').basename(__filename);
