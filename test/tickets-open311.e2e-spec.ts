import { bootApp, engines, findPhones, TestApp } from './utils/app';

describe.each(engines())('Open311 GeoReport v2 on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootApp(engine);
  });
  afterAll(async () => t?.close());

  it('lists topics as services, files with an admin-issued key, and reads back without personal data', async () => {
    const services = await t.http().get('/open311/v2/services.json').expect(200);
    expect(services.body.length).toBeGreaterThan(0);
    const code = services.body[0].service_code;
    expect(services.body[0]).toMatchObject({ service_code: expect.any(String), service_name: expect.any(String), type: 'realtime', metadata: false });

    const op = await t.token('operator');
    await t.http().post('/api/open311/keys').set('Authorization', `Bearer ${op}`).send({ label: 'x' }).expect(403);
    const admin = await t.token('admin');
    const key = await t.http().post('/api/open311/keys').set('Authorization', `Bearer ${admin}`).send({ label: '市民App' }).expect(201);
    expect(key.body.apiKey).toEqual(expect.any(String));

    const req = { service_code: code, description: '小区暖气不热，室内温度只有十五度。', phone: '13812345678', first_name: '女士', last_name: '王', lat: '39.9', long: '116.3' };
    await t.http().post('/open311/v2/requests.json').send({ ...req, api_key: 'wrong' }).expect(403);
    await t.http().post('/open311/v2/requests.json').send({ ...req, api_key: key.body.apiKey, service_code: 'nope' }).expect(400);
    const created = await t.http().post('/open311/v2/requests.json').type('form').send({ ...req, api_key: key.body.apiKey }).expect(201);
    const id = created.body[0].service_request_id;
    expect(id).toMatch(/^XC/);

    const one = await t.http().get(`/open311/v2/requests/${id}.json`).expect(200);
    expect(one.body[0]).toMatchObject({ service_request_id: id, status: 'open', description: req.description });
    const list = await t.http().get('/open311/v2/requests.json?status=open').expect(200);
    expect(list.body.map((r: { service_request_id: string }) => r.service_request_id)).toContain(id);
    const text = JSON.stringify([one.body, list.body]);
    expect(findPhones(text)).toEqual([]);
    expect(text).not.toContain('王女士');
    expect((await t.http().get('/open311/v2/requests.json?status=closed').expect(200)).body).toEqual([]);
    await t.http().get('/open311/v2/requests/NOPE.json').expect(404);
  });
});
