import * as everything from "./var"; // error TSK1044
import fs from "fs"; // error TSK1044 TSK1044 TS2591
export function f_imports(): void {}
