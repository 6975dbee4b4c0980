<?xml version="1.0" encoding="UTF-8"?>
<!-- Test data for layers/xplanung.py: a small, invented Bebauungsplan in XPlanGML 6.0.
     Areas: WA (GRZ 0.4, GFZ 1.2, Z 3) 6500 m2, MI (GRZ 0.6 only) 3000 m2,
     public green 6500 m2, street (SO_Strassenverkehr, as XPlanGML 6.0 models traffic) 1600 m2.
     Each geometry spells its CRS differently (EPSG code, OGC URN, OGC URI).
     This copy has the coordinates of bplan_6_0.gml converted with pyproj from EPSG:25832 to
     EPSG:4326, written latitude first as GML requires. -->
<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0"
    xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.xplanung.de/xplangml/6/0 http://repository.gdi-de.org/schemas/de.xleitstelle.xplanung/6.0/XPlanung-Operationen.xsd"
    gml:id="GML_auszug_b60_wgs84">
  <gml:boundedBy>
    <gml:Envelope srsName="EPSG:4326">
      <gml:lowerCorner>49.6178433001 10.8523762422</gml:lowerCorner>
      <gml:upperCorner>49.6187967356 10.8546276606</gml:upperCorner>
    </gml:Envelope>
  </gml:boundedBy>
  <gml:featureMember>
    <xplan:BP_Plan gml:id="GML_b60_plan">
      <xplan:name>Testplan Lerchenfeld</xplan:name>
      <xplan:nummer>B 60</xplan:nummer>
      <xplan:raeumlicherGeltungsbereich>
        <gml:Polygon gml:id="GML_b60_plan_geom" srsName="EPSG:4326">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">49.6178433001 10.8523762422 49.6178078431 10.8545901182 49.6187967356 10.8546276606 49.6188321938 10.8524137398 49.6178433001 10.8523762422</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:raeumlicherGeltungsbereich>
      <xplan:gemeinde>
        <xplan:XP_Gemeinde>
          <xplan:ags>09999999</xplan:ags>
          <xplan:gemeindeName>Musterstadt</xplan:gemeindeName>
        </xplan:XP_Gemeinde>
      </xplan:gemeinde>
      <xplan:planArt>1000</xplan:planArt>
      <xplan:rechtsstand>3000</xplan:rechtsstand>
      <xplan:bereich xlink:href="#GML_b60_bereich"/>
    </xplan:BP_Plan>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_Bereich gml:id="GML_b60_bereich">
      <xplan:nummer>0</xplan:nummer>
      <xplan:planinhalt xlink:href="#GML_b60_wa"/>
      <xplan:planinhalt xlink:href="#GML_b60_mi"/>
      <xplan:planinhalt xlink:href="#GML_b60_gruen"/>
      <xplan:planinhalt xlink:href="#GML_b60_strasse"/>
      <xplan:planinhalt xlink:href="#GML_b60_baugrenze"/>
      <xplan:gehoertZuPlan xlink:href="#GML_b60_plan"/>
    </xplan:BP_Bereich>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_b60_wa">
      <xplan:gehoertZuBereich xlink:href="#GML_b60_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_b60_wa_geom" srsName="urn:ogc:def:crs:EPSG::4326">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">49.6179331995 10.8523796510 49.6179110438 10.8537633265 49.6183605406 10.8537803834 49.6186413189 10.8530987701 49.6183826967 10.8523966952 49.6179331995 10.8523796510</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:GFZ>1.2</xplan:GFZ>
      <xplan:GRZ>0.4</xplan:GRZ>
      <xplan:Z>3</xplan:Z>
      <xplan:allgArtDerBaulNutzung>1000</xplan:allgArtDerBaulNutzung>
      <xplan:besondereArtDerBaulNutzung>1200</xplan:besondereArtDerBaulNutzung>
      <xplan:bauweise>1000</xplan:bauweise>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_b60_mi">
      <xplan:gehoertZuBereich xlink:href="#GML_b60_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_b60_mi_geom" srsName="http://www.opengis.net/def/crs/EPSG/0/4326">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">49.6179110438 10.8537633265 49.6178977425 10.8545935311 49.6183472391 10.8546105956 49.6183605406 10.8537803834 49.6179110438 10.8537633265</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:GRZ>0.6</xplan:GRZ>
      <xplan:allgArtDerBaulNutzung>2000</xplan:allgArtDerBaulNutzung>
      <xplan:besondereArtDerBaulNutzung>1500</xplan:besondereArtDerBaulNutzung>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_GruenFlaeche gml:id="GML_b60_gruen">
      <xplan:gehoertZuBereich xlink:href="#GML_b60_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_b60_gruen_geom" srsName="EPSG:4326">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">49.6183826967 10.8523966952 49.6186413189 10.8530987701 49.6183605406 10.8537803834 49.6183472391 10.8546105956 49.6187967356 10.8546276606 49.6188321938 10.8524137398 49.6183826967 10.8523966952</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:zweckbestimmung>
        <xplan:BP_KomplexeZweckbestGruen>
          <xplan:allgemein>1000</xplan:allgemein>
        </xplan:BP_KomplexeZweckbestGruen>
      </xplan:zweckbestimmung>
      <xplan:nutzungsform>2000</xplan:nutzungsform>
    </xplan:BP_GruenFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:SO_Strassenverkehr gml:id="GML_b60_strasse">
      <xplan:gehoertZuBereich xlink:href="#GML_b60_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_b60_strasse_geom" srsName="EPSG:4326">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">49.6178433001 10.8523762422 49.6178078431 10.8545901182 49.6178977425 10.8545935311 49.6179110438 10.8537633265 49.6179331995 10.8523796510 49.6178433001 10.8523762422</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:nutzungsform>2000</xplan:nutzungsform>
      <xplan:hatDarstellungMitBesondZweckbest>false</xplan:hatDarstellungMitBesondZweckbest>
    </xplan:SO_Strassenverkehr>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BauGrenze gml:id="GML_b60_baugrenze">
      <xplan:gehoertZuBereich xlink:href="#GML_b60_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:LineString gml:id="GML_b60_baugrenze_geom" srsName="EPSG:4326">
          <gml:posList srsDimension="2">49.6179770419 10.8524505392 49.6179571017 10.8536958484 49.6183166992 10.8537094934</gml:posList>
        </gml:LineString>
      </xplan:position>
    </xplan:BP_BauGrenze>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:XP_TextAbschnitt gml:id="GML_b60_text">
      <xplan:schluessel>§ 1</xplan:schluessel>
      <xplan:text>Im Allgemeinen Wohngebiet sind Tankstellen nicht zulässig.</xplan:text>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
    </xplan:XP_TextAbschnitt>
  </gml:featureMember>
</xplan:XPlanAuszug>
