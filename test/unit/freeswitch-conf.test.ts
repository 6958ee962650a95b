/**
 * The files an admin installs on the switch (freeswitch-conf/). FreeSWITCH's preprocessor reads its tags and expands
 * double-dollar references on every line before the XML parser runs, so inside a comment they still act: a
 * comment naming an include of its own file makes FreeSWITCH include it again until the parser gives up, and an
 * expanded reference copies a secret into the compiled configuration. No comment may hold either.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

const CONF = path.resolve(__dirname, '..', '..', '..', 'freeswitch-conf');

function xmlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return xmlFiles(p);
    return p.endsWith('.xml') ? [p] : [];
  });
}

/** What the preprocessor would act on inside the file's comments, one line each. */
export function preprocessorHazards(xml: string): string[] {
  const hazards: string[] = [];
  for (const m of xml.matchAll(/<!--([\s\S]*?)-->/g)) {
    const comment = m[1] ?? '';
    const line = xml.slice(0, m.index).split('\n').length;
    if (/X-PRE-PROCESS/i.test(comment)) hazards.push(`line ${line}: a preprocessor tag in a comment`);
    if (comment.includes('$${')) hazards.push(`line ${line}: a double-dollar reference in a comment`);
    if (comment.startsWith('#')) hazards.push(`line ${line}: a "<!--#" preprocessor comment`);
  }
  if (/<!--(?![\s\S]*?-->)/.test(xml)) hazards.push('an unclosed comment');
  return hazards;
}

describe('freeswitch-conf: what the admin installs', () => {
  const files = xmlFiles(CONF);

  it('when the folder is read, then it holds the four files the README installs', () => {
    expect(files.map((f) => path.relative(CONF, f)).sort()).to.deep.equal([
      'autoload_configs/acl.conf.xml',
      'autoload_configs/event_socket.conf.xml',
      'dialplan/clicktocall.xml',
      'vars-clicktocall.xml',
    ]);
  });

  for (const file of files) {
    it(`when ${path.relative(CONF, file)} is preprocessed, then no comment holds a tag or a reference`, () => {
      expect(preprocessorHazards(fs.readFileSync(file, 'utf8'))).to.deep.equal([]);
    });
  }

  it('when a comment holds an include tag, a reference or "#", then the check finds each (as the old files had)', () => {
    const bad = [
      '<!--',
      '  Include this file at the end of vars.xml:',
      '    <X-PRE-PROCESS cmd="include" data="vars-clicktocall.xml"/>',
      '-->',
      '<!-- the password comes from $${c2c_esl_password} -->',
      '<!--#comment a preprocessor comment -->',
      '<include/>',
    ].join('\n');
    expect(preprocessorHazards(bad)).to.deep.equal([
      'line 1: a preprocessor tag in a comment',
      'line 5: a double-dollar reference in a comment',
      'line 6: a "<!--#" preprocessor comment',
    ]);
    expect(preprocessorHazards('<include>\n<!-- never closed\n</include>')).to.deep.equal([
      'an unclosed comment',
    ]);
  });

  it('when the event socket is configured, then its password and port are the variables of vars-clicktocall.xml', () => {
    const esl = fs.readFileSync(path.join(CONF, 'autoload_configs', 'event_socket.conf.xml'), 'utf8');
    const vars = fs.readFileSync(path.join(CONF, 'vars-clicktocall.xml'), 'utf8');
    expect(esl).to.include('<param name="password" value="$${c2c_esl_password}"/>');
    expect(esl).to.include('<param name="listen-port" value="$${c2c_esl_port}"/>');
    expect(esl).to.include('<param name="listen-ip" value="127.0.0.1"/>');
    for (const name of [
      'c2c_esl_password',
      'c2c_esl_port',
      'c2c_route_context',
      'c2c_gateway',
      'c2c_sip_profile',
    ])
      expect(vars).to.match(new RegExp(`<X-PRE-PROCESS cmd="set" data="${name}=`));
  });
});
